// #/instances: the organization's instances with their status; register or provision one; start, stop, delete, health.
import { api } from '../api.js';
import { h, clear, badge, busy, field, formatTime, confirmAction, showError, table } from '../ui.js';

const path = (id, rest = '') => `/v1/instances/${encodeURIComponent(id)}${rest}`;

function createForm(main, reload) {
  const name = h('input', { id: 'instance-name', required: 'required', maxlength: '128', autocomplete: 'off' });
  const registered = h('input', { id: 'kind-registered', type: 'radio', name: 'kind', value: 'registered', checked: true });
  const provisioned = h('input', { id: 'kind-provisioned', type: 'radio', name: 'kind', value: 'provisioned' });
  const url = h('input', { id: 'instance-gateway-url', type: 'url', autocomplete: 'off' });
  const token = h('input', { id: 'instance-gateway-token', type: 'password', autocomplete: 'off' });
  const gatewayFields = h('div', { class: 'gateway-fields' }, field('Gateway URL', url), field('Gateway token', token));
  const submit = h('button', { type: 'submit' }, 'Create instance');
  const toggle = () => { gatewayFields.hidden = provisioned.checked; };
  registered.addEventListener('change', toggle);
  provisioned.addEventListener('change', toggle);
  const form = h('form', { novalidate: true, class: 'card form', 'aria-labelledby': 'create-instance' },
    h('h2', { id: 'create-instance' }, 'New instance'),
    field('Name', name),
    h('fieldset', { class: 'choices' }, h('legend', {}, 'Gateway'),
      h('label', { for: 'kind-registered' }, registered, ' Registered (a gateway you run)'),
      h('label', { for: 'kind-provisioned' }, provisioned, ' Provisioned (Chowder runs it)')),
    gatewayFields, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, main, async () => {
      const body = { name: name.value.trim() };
      if (registered.checked) {
        body.gateway_url = url.value.trim();
        body.gateway_token = token.value;
      }
      await api('/v1/instances', { method: 'POST', body });
      form.reset();
      toggle();
      await reload();
    });
  });
  return form;
}

function actions(main, instance, reload, healthCell) {
  const run = (button, action) => busy(button, main, action);
  const health = h('button', { type: 'button', 'aria-label': `Health of ${instance.name}` }, 'Health');
  health.addEventListener('click', () => run(health, async () => {
    const status = await api(path(instance.id, '/status'));
    clear(healthCell).append(badge(status.status), ' ', h('span', { class: 'muted' }, `checked ${new Date().toLocaleTimeString()}`));
  }));
  const start = h('button', { type: 'button', 'aria-label': `Start ${instance.name}` }, 'Start');
  start.addEventListener('click', () => run(start, async () => {
    await api(path(instance.id, '/start'), { method: 'POST' });
    await reload();
  }));
  const stop = h('button', { type: 'button', 'aria-label': `Stop ${instance.name}` }, 'Stop');
  stop.addEventListener('click', () => run(stop, async () => {
    await api(path(instance.id, '/stop'), { method: 'POST' });
    await reload();
  }));
  const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${instance.name}` }, 'Delete');
  remove.addEventListener('click', () => {
    if (!confirmAction(`Delete instance "${instance.name}"? It stops answering at once; this cannot be undone.`)) return;
    run(remove, async () => {
      await api(path(instance.id), { method: 'DELETE' });
      await reload();
    });
  });
  start.hidden = instance.status !== 'stopped';
  stop.hidden = instance.status === 'stopped';
  return h('div', { class: 'actions' }, health, start, stop, remove);
}

export async function render(main) {
  const list = h('section', { 'aria-label': 'Instance list' });
  const reload = async () => {
    const instances = await api('/v1/instances');
    clear(list);
    if (instances.length === 0) {
      list.append(h('p', { class: 'empty' }, 'No instances yet: create one below.'));
      return;
    }
    list.append(table(null, ['Name', 'Status', 'Gateway', 'Created', 'Health', 'Actions'], instances.map((instance) => {
      const healthCell = h('span', {}, '—');
      const status = [badge(instance.status)];
      if (instance.error_message) status.push(h('div', { class: 'muted small' }, instance.error_message));
      return [
        h('a', { href: `#/instances/${encodeURIComponent(instance.id)}` }, instance.name),
        status,
        h('span', { class: 'mono' }, instance.sandbox_provider === 'local' ? 'provisioned' : instance.gateway_url),
        formatTime(instance.created_at),
        healthCell,
        actions(main, instance, reload, healthCell),
      ];
    })));
  };
  main.append(h('h1', {}, 'Instances'), list, createForm(main, reload));
  try {
    await reload();
  } catch (error) {
    showError(main, error);
  }
}
