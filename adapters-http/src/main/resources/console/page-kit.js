// Helpers shared by the usage, files, skills, channels and operator pages (the pages helper's own, beside ui.js):
// forms, tables, busy buttons and a value shown once. Text always goes through ui.js's h(): never markup.
import { h } from './ui.js';

let nextId = 0;

/** A unique element id with a readable prefix (labels need `for` targets). */
export function uid(prefix) {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** The API path of an instance, `rest` appended. */
export function instancePath(id, rest = '') {
  return `/v1/instances/${encodeURIComponent(id)}${rest}`;
}

// The shell's helpers under the names these pages use.
export { clear as empty, clearError as dropErrors, busy as whileBusy } from './ui.js';

/** A labelled control: `<label for>` plus the control (given an id when it has none). */
export function labelled(label, control, hint) {
  if (!control.id) control.id = uid('field');
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control,
    hint ? h('span', { class: 'hint small' }, hint) : null);
}

/** A `<th>`-headed table over `rows` (arrays of cells), in a wrapper that scrolls on a narrow screen. */
export function dataTable(label, headers, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', { 'aria-label': label },
      h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell)))))));
}

/** A button with visible text and, when the text alone is ambiguous in a list, an accessible name. */
export function button(text, onClick, { label, kind } = {}) {
  const element = h('button', { type: 'button', class: kind ?? null, 'aria-label': label ?? null }, text);
  element.addEventListener('click', onClick);
  return element;
}

/** A secret shown once (a raw key), in `aria-label="New key"`, with a copy button and a warning. */
export function shownOnce(title, value) {
  const code = h('code', { 'aria-label': 'New key' }, value);
  const copy = button('Copy', async () => {
    try {
      await navigator.clipboard.writeText(value);
      copy.textContent = 'Copied';
    } catch {
      copy.textContent = 'Select and copy it';
    }
  }, { label: 'Copy the new key', kind: 'secondary' });
  return h('div', { class: 'notice', role: 'status' },
    h('p', {}, h('strong', {}, title), ' It is shown only this once: copy it now.'),
    h('div', { class: 'new-key' }, code, copy));
}

/** A "Back to the instance" link above a page that belongs to one instance. */
export function instanceLink(id) {
  return h('p', { class: 'crumbs small' }, h('a', { href: `#/instances/${encodeURIComponent(id)}` }, '← Instance'));
}

/** Bytes as B, KiB, MiB. */
export function formatBytes(size) {
  if (size === null || size === undefined) return '—';
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(1)} KiB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Input text for an integer-or-null field: '' is null (none, or the default), a whole number is that number, and
 * anything else is sent as typed, so that the API's 422 says what is wrong (forms leave validation to the API).
 */
export function numberOrNull(text) {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}
