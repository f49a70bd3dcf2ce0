// Small DOM helpers. Text is always set through text nodes: API data never becomes markup.

/**
 * Creates an element: `attrs` are attributes (`class`, `for`, `aria-*`, `data-*`, …), except `on` (an object of
 * event listeners); a boolean attribute (`disabled`, `hidden`, `checked`, `required`) is given as true/false.
 * Children are nodes or text (null/false skipped, arrays flattened).
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (name === 'on') {
      for (const [type, listener] of Object.entries(value)) element.addEventListener(type, listener);
    } else if (typeof value === 'boolean') {
      // As an attribute, so that it is also the default a form's reset() returns to.
      if (value) element.setAttribute(name, '');
    } else if (value !== null && value !== undefined) {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Removes every child of `element`. */
export function clear(element) {
  element.replaceChildren();
  return element;
}

/** The text of an error: the API's detail, or the browser's message (network down, …). */
export function errorText(error) {
  return error?.detail ?? error?.message ?? String(error);
}

/** Shows `error` (an ApiError's detail) in a `role="alert"` element of `container`, replacing an earlier one. */
export function showError(container, error) {
  clearError(container);
  const alert = h('p', { class: 'error', role: 'alert' }, errorText(error));
  const heading = container.querySelector(':scope > h1');
  if (heading) heading.after(alert);
  else container.prepend(alert);
  return alert;
}

/** Removes the alert `showError` put into `container`. */
export function clearError(container) {
  for (const old of container.querySelectorAll(':scope > .error[role="alert"]')) old.remove();
}

/** Asks the user to confirm a destructive action. */
export function confirmAction(text) {
  return window.confirm(text);
}

/** An RFC 3339 time in the browser's locale; '—' when absent. */
export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toLocaleString();
}

/** A count with thousands separators; '—' when absent. */
export function formatNumber(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString();
}

/** A status as a coloured badge (the colour is a class: `badge-running`, `badge-error`, …). */
export function badge(status) {
  return h('span', { class: `badge badge-${String(status).replace(/[^a-z_-]/gi, '')}` }, status);
}

/** A labelled form field: `<label for>` plus the control. */
export function field(label, control) {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

/** Runs `action` with `button` disabled; an error is shown in `container` and not thrown further. */
export async function busy(button, container, action) {
  button.disabled = true;
  try {
    clearError(container);
    return await action();
  } catch (error) {
    showError(container, error);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** A table with `<th>` headers over `rows` (arrays of cells), wrapped so that it scrolls on a narrow screen. */
export function table(caption, headers, rows) {
  return h('div', { class: 'table-wrap' },
    h('table', {},
      caption ? h('caption', {}, caption) : null,
      h('thead', {}, h('tr', {}, headers.map((text) => h('th', { scope: 'col' }, text)))),
      h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell)))))));
}
