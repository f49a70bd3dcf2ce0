// A small SVG bar chart without any library: one stacked bar per day, one segment per series (an API key, say).
// Colours come from CSS classes (chart-series-0 … chart-series-7 in pages.css): the CSP forbids style attributes.

// The SVG namespace as the HTML parser assigns it to an <svg> element (so no URL needs to be written here).
const SVG = new DOMParser().parseFromString('<svg></svg>', 'text/html').body.firstElementChild.namespaceURI;
/** How many series colours pages.css defines; further series reuse them in turn. */
export const SERIES_COLOURS = 8;

function svg(tag, attrs = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) element.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/**
 * A round step for `ticks` grid lines covering `value`: 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 × 10^n (halves only from 10
 * up, so that counts never get fractional ticks), at least 1.
 */
export function niceStep(value, ticks = 4) {
  const raw = value / ticks;
  if (!(raw > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (!Number.isInteger(step) && power < 10) continue;
    if (step * power >= raw) return Math.max(1, step * power);
  }
  return 10 * power;
}

const compact = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
const full = new Intl.NumberFormat();

/** The class that colours series number `index`. */
export function seriesClass(index) {
  return `chart-series-${index % SERIES_COLOURS}`;
}

/**
 * A stacked bar chart, as a `<figure>`: the SVG (role img, a `<title>` and an aria-label that describe it, each bar
 * segment with its own `<title>` for a tooltip) and an HTML legend.
 *
 * @param {object} spec
 * @param {string} spec.title        what the chart shows, e.g. "Tokens per day by key"
 * @param {{key: string, label: string}[]} spec.series   the stacked series, bottom first
 * @param {{label: string, values: Object<string, number>}[]} spec.bars   one bar per x position (values by series key)
 * @param {string} [spec.unit]       the unit of the values, e.g. "tokens"
 * @param {number} [spec.width]      the drawing's width in px (the SVG scales to its container)
 */
export function stackedBarChart({ title, series, bars, unit = '', width = 640 }) {
  const height = 240;
  const margin = { top: 12, right: 8, bottom: 30, left: 48 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const totals = bars.map((bar) => series.reduce((sum, s) => sum + (bar.values[s.key] ?? 0), 0));
  const top = niceStep(Math.max(0, ...totals)) * 4;
  const y = (value) => margin.top + plotHeight - (value / top) * plotHeight;
  const slot = plotWidth / Math.max(1, bars.length);
  const barWidth = Math.max(2, Math.min(40, slot * 0.7));

  const grand = totals.reduce((a, b) => a + b, 0);
  const busiest = totals.indexOf(Math.max(...totals));
  const description = bars.length === 0 ? `${title}: no data.`
    : `${title}: ${bars.length} bars from ${bars[0].label} to ${bars[bars.length - 1].label}, ${full.format(grand)} ${unit} in all`
      + (grand > 0 ? `, the most on ${bars[busiest].label} (${full.format(totals[busiest])})` : '')
      + `; ${series.length} series: ${series.map((s) => s.label).join(', ') || 'none'}.`;

  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`, class: 'chart-svg', role: 'img', 'aria-label': description,
    preserveAspectRatio: 'xMidYMid meet',
  }, svg('title', {}, description));

  const axis = svg('g', { class: 'chart-axis', 'aria-hidden': 'true' });
  for (let i = 0; i <= 4; i += 1) {
    const value = (top * i) / 4;
    const at = y(value);
    axis.append(svg('line', { x1: margin.left, x2: width - margin.right, y1: at, y2: at, class: i === 0 ? 'chart-baseline' : 'chart-grid' }));
    axis.append(svg('text', { x: margin.left - 6, y: at + 4, 'text-anchor': 'end', class: 'chart-label' }, compact.format(value)));
  }
  const every = Math.max(1, Math.ceil(bars.length / Math.max(1, Math.floor(plotWidth / 52))));
  bars.forEach((bar, index) => {
    if (index % every !== 0) return;
    const x = margin.left + slot * index + slot / 2;
    axis.append(svg('text', { x, y: height - margin.bottom + 18, 'text-anchor': 'middle', class: 'chart-label' }, bar.label));
  });
  root.append(axis);

  const plot = svg('g', { class: 'chart-bars' });
  bars.forEach((bar, index) => {
    const x = margin.left + slot * index + (slot - barWidth) / 2;
    let base = 0;
    series.forEach((s, seriesIndex) => {
      const value = bar.values[s.key] ?? 0;
      if (value <= 0) return;
      const rect = svg('rect', {
        x: x.toFixed(2), y: y(base + value).toFixed(2), width: barWidth.toFixed(2),
        height: Math.max(0.5, y(base) - y(base + value)).toFixed(2), class: `chart-bar ${seriesClass(seriesIndex)}`,
      }, svg('title', {}, `${bar.label}, ${s.label}: ${full.format(value)} ${unit}`));
      plot.append(rect);
      base += value;
    });
  });
  root.append(plot);

  const legend = document.createElement('ul');
  legend.className = 'chart-legend';
  legend.setAttribute('aria-label', 'Legend');
  series.forEach((s, index) => {
    const item = document.createElement('li');
    const swatch = document.createElement('span');
    swatch.className = `chart-swatch ${seriesClass(index)}`;
    swatch.setAttribute('aria-hidden', 'true');
    item.append(swatch, document.createTextNode(s.label));
    legend.append(item);
  });

  const figure = document.createElement('figure');
  figure.className = 'chart';
  const caption = document.createElement('figcaption');
  caption.className = 'chart-caption';
  caption.textContent = title;
  figure.append(caption, root, legend);
  return figure;
}
