// #/operator: the operator's view with the admin token (/v1/admin/…, see docs/api.md): every organization with its
// instances, suspension, tier, limits and last 30 days of usage; create one (its first key shown once), rename,
// suspend or resume, issue another organization key (shown once), edit the plan.
import { api } from '../api.js';
import { h, showError, confirmAction, formatNumber, formatTime } from '../ui.js';
import { button, dataTable, empty, labelled, numberOrNull, shownOnce, uid, whileBusy, dropErrors } from '../page-kit.js';

const ADMIN = { admin: true };
const orgPath = (id, rest = '') => `/v1/admin/organizations/${encodeURIComponent(id)}${rest}`;
/** How many usage requests the page has in flight at once. */
const USAGE_REQUESTS = 6;
const LIMITS = [['tokens_per_day', 'Tokens per day'], ['tokens_per_month', 'Tokens per month'], ['requests_per_minute', 'Requests per minute']];

function limitsText(limits) {
  const set = LIMITS.filter(([key]) => limits?.[key] !== null && limits?.[key] !== undefined)
    .map(([key, label]) => `${label.toLowerCase()}: ${formatNumber(limits[key])}`);
  return set.length ? set.join('; ') : 'none';
}

/** Total tokens of the last 30 days, or '—' when the usage cannot be read. */
async function usageCell(org) {
  try {
    const usage = await api(orgPath(org.id, '/usage'), ADMIN);
    return h('span', { title: `${formatNumber(usage.turns)} turns` }, formatNumber(usage.total_tokens));
  } catch {
    return '—';
  }
}

/** Maps `items` through the async `task`, at most USAGE_REQUESTS at a time (a long list is no burst of requests). */
async function inTurn(items, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(USAGE_REQUESTS, items.length) }, worker));
  return results;
}

/** Shows `content` as the page's one panel (rename, plan or a new key), replacing the previous one. */
function panel(main, title, ...content) {
  const heading = uid('panel');
  const section = h('section', { class: 'card operator-panel', 'aria-labelledby': heading },
    h('div', { class: 'section-title' }, h('h2', { id: heading }, title),
      button('Close', () => section.remove(), { label: `Close ${title}`, kind: 'secondary' })), ...content);
  main.querySelector('.operator-panel')?.remove();
  main.querySelector('h1').after(section);
  section.scrollIntoView?.({ block: 'nearest' });
  return section;
}

function renamePanel(main, org, reload) {
  const name = h('input', { type: 'text', autocomplete: 'off', value: org.name });
  const submit = h('button', { type: 'submit' }, 'Save name');
  const form = h('form', { class: 'form' }, labelled('New name', name), submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    whileBusy(submit, main, async () => {
      await api(orgPath(org.id), { ...ADMIN, method: 'PATCH', body: { name: name.value.trim() } });
      section.remove();
      await reload();
    });
  });
  const section = panel(main, `Rename ${org.name}`, form);
}

async function planPanel(main, org, reload) {
  const plan = await api(orgPath(org.id, '/plan'), ADMIN);
  const text = (value) => (value === null || value === undefined ? '' : String(value));
  const tier = h('input', { type: 'text', autocomplete: 'off', value: plan.subscription_tier });
  const instanceLimit = h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', value: text(plan.instance_limit) });
  const limits = LIMITS.map(([key, label]) => ({
    key, label, input: h('input', { type: 'text', inputmode: 'numeric', autocomplete: 'off', value: text(plan.limits?.[key]) }),
  }));
  const modelKeys = h('select', {},
    h('option', { value: 'default' }, 'The operator\'s default'), h('option', { value: 'true' }, 'Allowed'),
    h('option', { value: 'false' }, 'Not allowed'));
  modelKeys.value = plan.operator_model_keys === null || plan.operator_model_keys === undefined ? 'default' : String(plan.operator_model_keys);
  const submit = h('button', { type: 'submit' }, 'Save plan');
  const form = h('form', { class: 'form' },
    h('div', { class: 'grid-form' }, labelled('Tier', tier),
      labelled('Instance limit', instanceLimit, 'Empty: the operator\'s default.'),
      limits.map(({ label, input }) => labelled(label, input, 'Empty: none.')),
      labelled('Operator model keys', modelKeys)), submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    whileBusy(submit, main, async () => {
      const body = {
        subscription_tier: tier.value.trim(),
        instance_limit: numberOrNull(instanceLimit.value),
        limits: Object.fromEntries(limits.map(({ key, input }) => [key, numberOrNull(input.value)])),
        operator_model_keys: modelKeys.value === 'default' ? null : modelKeys.value === 'true',
      };
      await api(orgPath(org.id, '/plan'), { ...ADMIN, method: 'PATCH', body });
      section.remove();
      await reload();
    });
  });
  const section = panel(main, `Plan of ${org.name}`, form);
}

function actions(main, org, reload) {
  const rename = button('Rename', () => renamePanel(main, org, reload), { label: `Rename ${org.name}` });
  const plan = button('Plan', () => whileBusy(plan, main, () => planPanel(main, org, reload)), { label: `Edit the plan of ${org.name}` });
  const key = button('Issue key', () => whileBusy(key, main, async () => {
    const issued = await api(orgPath(org.id, '/keys'), { ...ADMIN, method: 'POST', body: { name: 'console' } });
    panel(main, `New key of ${org.name}`, shownOnce(`Organization key ${issued.key_prefix ?? ''} for ${org.name}.`, issued.raw_key));
  }), { label: `Issue a key for ${org.name}` });
  const suspended = Boolean(org.suspended);
  const toggle = button(suspended ? 'Resume' : 'Suspend', () => {
    const question = suspended
      ? `Resume ${org.name}? Its keys work again at once.`
      : `Suspend ${org.name}? Every key of it is refused (403) from its next request; its instances keep running.`;
    if (!confirmAction(question)) return;
    whileBusy(toggle, main, async () => {
      await api(orgPath(org.id), { ...ADMIN, method: 'PATCH', body: { suspended: !suspended } });
      await reload();
    });
  }, { label: `${suspended ? 'Resume' : 'Suspend'} ${org.name}`, kind: suspended ? null : 'danger' });
  return h('div', { class: 'actions' }, rename, plan, key, toggle);
}

function createForm(main, reload) {
  const name = h('input', { id: 'org-name', type: 'text', autocomplete: 'off' });
  const submit = h('button', { type: 'submit' }, 'Create organization');
  const form = h('form', { class: 'card form', 'aria-labelledby': 'create-org' },
    h('h2', { id: 'create-org' }, 'New organization'), labelled('Organization name', name), submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    whileBusy(submit, main, async () => {
      const created = await api('/v1/admin/organizations', { ...ADMIN, method: 'POST', body: { name: name.value.trim() } });
      panel(main, `Created ${created.organization.name}`,
        shownOnce(`The first key of ${created.organization.name}.`, created.api_key));
      form.reset();
      await reload();
    });
  });
  return form;
}

export async function render(main) {
  const list = h('section', { 'aria-label': 'Organization list' });
  main.append(h('h1', {}, 'Organizations'), list);
  const reload = async () => {
    const organizations = await api('/v1/admin/organizations', ADMIN);
    const usage = await inTurn(organizations, usageCell);
    empty(list);
    if (organizations.length === 0) {
      list.append(h('p', { class: 'empty' }, 'No organizations yet: create one below.'));
      return;
    }
    list.append(dataTable('Organizations', ['Name', 'Instances', 'State', 'Tier', 'Limits', 'Tokens, 30 days', 'Created', 'Actions'],
      organizations.map((org, index) => [
        h('span', {}, org.name, h('div', { class: 'mono small muted org-id' }, org.id)),
        `${formatNumber(org.instance_count)} of ${org.instance_limit === null || org.instance_limit === undefined || org.instance_limit === 0
          ? 'unlimited' : formatNumber(org.instance_limit)}`,
        org.suspended ? h('span', { class: 'suspended' }, 'Suspended', h('div', { class: 'small' }, formatTime(org.suspended_at)))
          : h('span', { class: 'yes' }, 'Active'),
        org.subscription_tier ?? '—', h('span', { class: 'small' }, limitsText(org.limits)), usage[index], formatTime(org.created_at),
        actions(main, org, reload)])));
  };
  main.append(createForm(main, async () => {
    dropErrors(main);
    await reload();
  }));
  try {
    await reload();
  } catch (error) {
    showError(main, error);
  }
}
