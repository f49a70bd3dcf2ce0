// #/instances/<id>: one instance's details and status, with links to what can be done with it.
import { api } from '../api.js';
import { h, badge, busy, formatTime, showError } from '../ui.js';

function details(instance) {
  const rows = [
    ['Id', h('code', {}, instance.id)],
    ['Status', [badge(instance.status), instance.error_message ? h('div', { class: 'muted small' }, instance.error_message) : null]],
    ['Gateway', instance.sandbox_provider === 'local' ? `provisioned (${instance.sandbox ?? 'sandbox'})` : h('code', {}, instance.gateway_url)],
    ['Model provider', instance.model_provider ?? '—'],
    ['Created', formatTime(instance.created_at)],
    ['Updated', formatTime(instance.updated_at)],
  ];
  return h('dl', { class: 'details' }, rows.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]));
}

export async function render(main, { id }) {
  const base = `#/instances/${encodeURIComponent(id)}`;
  const heading = h('h1', {}, 'Instance');
  main.append(heading);
  let instance;
  try {
    instance = await api(`/v1/instances/${encodeURIComponent(id)}`);
  } catch (error) {
    showError(main, error);
    return;
  }
  heading.textContent = `Instance ${instance.name}`;
  const card = h('section', { class: 'card', 'aria-label': 'Details' }, details(instance));
  const health = h('button', { type: 'button', class: 'secondary' }, 'Check health');
  const healthResult = h('span', { class: 'muted', 'aria-live': 'polite' });
  health.addEventListener('click', () => busy(health, main, async () => {
    const status = await api(`/v1/instances/${encodeURIComponent(id)}/status`);
    healthResult.replaceChildren(badge(status.status), ` checked ${new Date().toLocaleTimeString()}`);
  }));
  const links = [['Chat', 'chat'], ['Sessions', 'sessions'], ['Usage', 'usage'], ['Files', 'files'], ['Skills', 'skills'], ['Channels', 'channels']];
  main.append(
    h('p', {}, h('a', { href: '#/instances' }, '← All instances')),
    card,
    h('div', { class: 'actions' }, health, healthResult),
    h('nav', { 'aria-label': 'Instance' },
      h('ul', { class: 'links' }, links.map(([text, page]) => h('li', {}, h('a', { href: `${base}/${page}` }, text))))));
}
