// #/instances/<id>/usage: the instance's turns and tokens per UTC day and per key (GET …/usage?interval=day),
// as a stacked bar chart (chart.js) and a table of totals per key.
import { api } from '../api.js';
import { h, showError, formatNumber } from '../ui.js';
import { stackedBarChart } from '../chart.js';
import { dataTable, empty, instanceLink, instancePath, labelled, dropErrors } from '../page-kit.js';

const DAY = 24 * 60 * 60 * 1000;
const MEASURES = { total_tokens: 'Tokens', turns: 'Turns' };

/** `days` whole UTC days ending with today: [midnight days-1 ago, next midnight). */
export function lastDays(days, now = new Date()) {
  const tomorrow = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY;
  return { from: new Date(tomorrow - days * DAY).toISOString(), to: new Date(tomorrow).toISOString() };
}

/** "Dec 3" for a day's start (in UTC: the series' days are UTC days). */
function dayLabel(iso) {
  return new Date(iso).toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

/** The organization's keys by id, for names; an empty map when they cannot be listed (a scoped key). */
async function keyNames() {
  try {
    const keys = await api('/v1/keys');
    return new Map(keys.map((key) => [key.id, `${key.name} (${key.key_prefix}…)`]));
  } catch {
    return new Map();
  }
}

function keyLabel(names, keyId) {
  return names.get(keyId) ?? `key ${keyId.slice(0, 8)}…`;
}

/** The keys of the window, busiest first. */
function keysOf(usage) {
  return [...usage.by_key].sort((a, b) => b.total_tokens - a.total_tokens || b.turns - a.turns);
}

function chart(usage, names, measure, width) {
  const series = keysOf(usage).map((key) => ({ key: key.key_id, label: keyLabel(names, key.key_id) }));
  const bars = usage.series.map((day) => ({
    label: dayLabel(day.from),
    values: Object.fromEntries(day.by_key.map((key) => [key.key_id, key[measure]])),
  }));
  const unit = measure === 'turns' ? 'turns' : 'tokens';
  return stackedBarChart({ title: `${MEASURES[measure]} per day by key`, series, bars, unit, width });
}

function totalsTable(usage, names) {
  const rows = keysOf(usage).map((key) => [keyLabel(names, key.key_id), formatNumber(key.turns), formatNumber(key.input_tokens),
    formatNumber(key.output_tokens), formatNumber(key.total_tokens)]);
  rows.push([h('strong', {}, 'All keys'), formatNumber(usage.turns), formatNumber(usage.input_tokens),
    formatNumber(usage.output_tokens), h('strong', {}, formatNumber(usage.total_tokens))]);
  return dataTable('Totals per key', ['Key', 'Turns', 'Input tokens', 'Output tokens', 'Total tokens'], rows);
}

function modelSummary(model) {
  if (!model || model.requests === 0) return null;
  return h('p', { class: 'muted small' }, `Model calls of the gateway through Chowder: ${formatNumber(model.requests)} requests, `
    + `${formatNumber(model.total_tokens)} tokens as the providers reported them.`);
}

export async function render(main, params) {
  const id = params.id;
  const period = h('select', { id: 'usage-period' },
    h('option', { value: '14' }, 'Last 14 days'), h('option', { value: '30' }, 'Last 30 days'));
  const measure = h('select', { id: 'usage-measure' },
    Object.entries(MEASURES).map(([value, text]) => h('option', { value }, text)));
  const requested = params.query?.get('days');
  if (requested === '30') period.value = '30';
  const view = h('section', { class: 'usage-view', 'aria-label': 'Usage by day and key' });
  main.append(instanceLink(id), h('h1', {}, 'Usage'),
    h('div', { class: 'inline-form usage-controls' }, labelled('Period', period), labelled('Measure', measure)), view);

  let names = new Map();
  let usage = null;
  const draw = () => {
    if (!usage) return;
    const width = Math.max(320, Math.min(960, Math.round(view.clientWidth || main.clientWidth || 640)));
    empty(view).append(...[
      h('p', { class: 'muted small' }, `${dayLabel(usage.from)} to ${dayLabel(new Date(Date.parse(usage.to) - 1).toISOString())} `
        + '(UTC days).'),
      usage.by_key.length === 0 ? h('p', { class: 'empty' }, 'No turns in this period.') : chart(usage, names, measure.value, width),
      h('h2', {}, 'Totals'), totalsTable(usage, names), modelSummary(usage.model)].filter(Boolean));
  };
  const load = async () => {
    dropErrors(main);
    const { from, to } = lastDays(Number(period.value));
    try {
      const query = new URLSearchParams({ from, to, interval: 'day' });
      [usage, names] = await Promise.all([api(`${instancePath(id, '/usage')}?${query}`), keyNames()]);
      draw();
    } catch (error) {
      usage = null;
      empty(view);
      showError(main, error);
    }
  };
  period.addEventListener('change', load);
  measure.addEventListener('change', draw);
  // The chart is drawn for the width it has: draw it again once a resize (or a turned phone) settles.
  let pending = null;
  const onResize = () => {
    clearTimeout(pending);
    pending = setTimeout(draw, 200);
  };
  window.addEventListener('resize', onResize);
  await load();
  return () => {
    clearTimeout(pending);
    window.removeEventListener('resize', onResize);
  };
}
