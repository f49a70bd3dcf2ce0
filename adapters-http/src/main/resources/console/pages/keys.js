// #/keys: the organization's keys; create a scoped key (its raw value shown once); revoke one.
import { api } from '../api.js';
import { h, clear, busy, confirmAction, field, formatTime, showError, table } from '../ui.js';

const KNOWN_PERMISSIONS = ['read', 'interact', 'configure', 'files', 'channels'];

/** The permission names the API accepts, from its own OpenAPI document (the known ones if it cannot be read). */
async function permissionNames() {
  try {
    const names = (await api('/openapi.json')).components?.schemas?.Permission?.enum;
    return Array.isArray(names) && names.length > 0 ? names : KNOWN_PERMISSIONS;
  } catch {
    return KNOWN_PERMISSIONS;
  }
}

function checkboxes(legend, name, items) {
  const boxes = items.map(({ value, label }, i) => {
    const box = h('input', { type: 'checkbox', id: `${name}-${i}`, value });
    return { box, row: h('label', { for: box.id }, box, ` ${label}`) };
  });
  const set = h('fieldset', { class: 'choices' }, h('legend', {}, legend),
    boxes.length ? boxes.map(({ row }) => row) : h('p', { class: 'empty' }, 'None yet.'));
  return { set, checked: () => boxes.filter(({ box }) => box.checked).map(({ box }) => box.value) };
}

function binding(key) {
  const parts = [];
  if (key.session_prefix) parts.push(`prefix ${key.session_prefix}`);
  if (key.session_ids?.length) parts.push(`ids ${key.session_ids.join(', ')}`);
  return parts.length ? parts.join('; ') : '—';
}

function newKeyNotice(created) {
  const value = h('code', { 'aria-label': 'New key' }, created.raw_key);
  const copy = h('button', { type: 'button', class: 'secondary' }, 'Copy');
  const copied = h('span', { class: 'muted', 'aria-live': 'polite' });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(created.raw_key);
      copied.textContent = 'Copied.';
    } catch {
      getSelection().selectAllChildren(value);
      copied.textContent = 'Selected: press Ctrl+C to copy.';
    }
  });
  return h('section', { class: 'notice', 'aria-label': 'Key created' },
    h('p', {}, `Key "${created.name}" created. Copy it now: it is shown only once.`),
    h('div', { class: 'new-key' }, value, copy, copied));
}

function createForm(main, instances, permissions, onCreated) {
  const name = h('input', { id: 'key-name', required: 'required', maxlength: '128', autocomplete: 'off' });
  const chosenInstances = checkboxes('Instances', 'key-instance', instances.map((i) => ({ value: i.id, label: i.name })));
  const chosenPermissions = checkboxes('Permissions', 'key-permission', permissions.map((p) => ({ value: p, label: p })));
  const sessionIds = h('textarea', { id: 'key-session-ids', rows: '2', placeholder: 'one id per line' });
  const sessionPrefix = h('input', { id: 'key-session-prefix', autocomplete: 'off', placeholder: 'user-42/' });
  const expires = h('input', { id: 'key-expires', type: 'datetime-local' });
  const submit = h('button', { type: 'submit' }, 'Create key');
  const form = h('form', { novalidate: true, class: 'card form', 'aria-labelledby': 'create-key' },
    h('h2', { id: 'create-key' }, 'New scoped key'),
    field('Name', name), chosenInstances.set, chosenPermissions.set,
    h('fieldset', { class: 'choices' }, h('legend', {}, 'Session binding (optional: only read and interact)'),
      field('Session ids', sessionIds), field('Session id prefix', sessionPrefix)),
    field('Expires (optional, your local time)', expires), submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, main, async () => {
      const body = { name: name.value.trim(), instance_ids: chosenInstances.checked(), permissions: chosenPermissions.checked() };
      const ids = sessionIds.value.split('\n').map((s) => s.trim()).filter(Boolean);
      if (ids.length) body.session_ids = ids;
      if (sessionPrefix.value) body.session_prefix = sessionPrefix.value;
      if (expires.value) {
        const at = new Date(expires.value);
        if (Number.isNaN(at.getTime())) throw new Error('Expires: not a valid date and time.');
        body.expires_at = at.toISOString();
      }
      const created = await api('/v1/keys', { method: 'POST', body });
      form.reset();
      await onCreated(created);
    });
  });
  return form;
}

export async function render(main) {
  const notice = h('div', {});
  const list = h('section', { 'aria-label': 'Key list' });
  main.append(h('h1', {}, 'Keys'), notice, list);
  const reload = async () => {
    const keys = await api('/v1/keys');
    clear(list).append(table(null, ['Name', 'Kind', 'Prefix', 'Sessions', 'Expires', 'Last used', 'Created', 'State', 'Actions'],
      keys.map((key) => {
        const revoke = h('button', { type: 'button', class: 'danger', 'aria-label': `Revoke ${key.name}`, hidden: !key.is_active }, 'Revoke');
        revoke.addEventListener('click', () => {
          if (!confirmAction(`Revoke key "${key.name}" (${key.key_prefix}…)? It stops working at once; this cannot be undone.`)) return;
          busy(revoke, main, async () => {
            await api(`/v1/keys/${encodeURIComponent(key.id)}`, { method: 'DELETE' });
            await reload();
          });
        });
        return [key.name, key.kind ?? '—', h('code', {}, key.key_prefix), binding(key), formatTime(key.expires_at),
          formatTime(key.last_used_at), formatTime(key.created_at), key.is_active ? 'active' : 'revoked', h('div', { class: 'actions' }, revoke)];
      })));
  };
  try {
    const [instances, permissions] = await Promise.all([api('/v1/instances'), permissionNames(), reload()]);
    main.append(createForm(main, instances, permissions, async (created) => {
      clear(notice).append(newKeyNotice(created));
      await reload();
    }));
  } catch (error) {
    showError(main, error);
  }
}
