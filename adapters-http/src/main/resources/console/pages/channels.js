// #/instances/<id>/channels: every channel with whether it is on; connect one (its fields from the catalog, or the
// WhatsApp QR code), check its status, see who waits for pairing and approve a code, disconnect. See docs/channels.md.
import { api } from '../api.js';
import { h, showError, confirmAction, formatTime } from '../ui.js';
import { button, dataTable, empty, instanceLink, instancePath, labelled, uid, whileBusy } from '../page-kit.js';

const NAMES = {
  telegram: 'Telegram', discord: 'Discord', slack: 'Slack', whatsapp: 'WhatsApp', googlechat: 'Google Chat',
  signal: 'Signal', matrix: 'Matrix', msteams: 'Microsoft Teams', mattermost: 'Mattermost', line: 'LINE', nostr: 'Nostr',
};
const channelPath = (id, channel, rest = '') => instancePath(id, `/channels/${encodeURIComponent(channel)}${rest}`);
const nameOf = (channel) => NAMES[channel] ?? channel;
/** Fields that hold a credential: typed into a password box. */
const SECRET = /token|password|secret|key/i;

/** Shows `content` as the page's one panel (connect, status or pairing), replacing the previous one. */
function panel(main, title, ...content) {
  const heading = uid('panel');
  const section = h('section', { class: 'card channel-panel', 'aria-labelledby': heading },
    h('div', { class: 'section-title' }, h('h2', { id: heading }, title),
      button('Close', () => section.remove(), { label: `Close ${title}`, kind: 'secondary' })), ...content);
  main.querySelector('.channel-panel')?.remove();
  main.append(section);
  section.scrollIntoView?.({ block: 'nearest' });
  return section;
}

async function connectPanel(main, id, channel, reload) {
  const catalog = await api(channelPath(id, channel));
  const inputs = Object.entries(catalog.required_fields ?? {}).map(([name, description]) => {
    const input = h('input', { type: SECRET.test(name) ? 'password' : 'text', name, autocomplete: 'off', spellcheck: 'false' });
    return { name, input, field: labelled(name, input, description) };
  });
  const submit = h('button', { type: 'submit' }, 'Save and connect');
  const result = h('div', { role: 'status' });
  const hint = inputs.length === 0
    ? h('p', { class: 'hint' }, channel === 'whatsapp' ? 'No fields: scan the QR code shown after connecting.' : 'No fields needed.')
    : h('p', { class: 'hint small' }, 'Fields are write-only and stored encrypted; one left empty keeps its stored value.');
  const form = h('form', { class: 'form' }, hint, inputs.map((entry) => entry.field), submit, result);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    whileBusy(submit, main, async () => {
      const config = {};
      for (const { name, input } of inputs) if (input.value !== '') config[name] = input.value;
      const answer = await api(channelPath(id, channel, '/connect'), { method: 'POST', body: { config } });
      empty(result).append(h('p', { class: 'notice' }, answer.message ?? `Status: ${answer.status}.`));
      if (answer.qr_image_base64) {
        result.append(h('img', { class: 'qr', src: `data:image/png;base64,${answer.qr_image_base64}`,
          alt: `QR code to link ${nameOf(channel)}: scan it with the app` }));
      }
      form.reset();
      await reload();
    });
  });
  panel(main, `Connect ${nameOf(channel)}`, form);
}

async function statusPanel(main, id, channel) {
  const status = await api(channelPath(id, channel, '/status'));
  const details = Object.entries(status.details ?? {}).filter(([, value]) => value !== null && value !== undefined);
  panel(main, `${nameOf(channel)} status`, h('dl', { class: 'details' },
    h('dt', {}, 'Enabled'), h('dd', {}, status.enabled ? 'yes' : 'no'),
    h('dt', {}, 'Connected'), h('dd', {}, status.connected ? 'yes' : 'no'),
    details.map(([name, value]) => [h('dt', {}, name),
      h('dd', { class: 'mono small' }, typeof value === 'object' ? JSON.stringify(value) : String(value))])));
}

async function pairingPanel(main, id, channel) {
  const list = h('div', {});
  const load = async () => {
    const waiting = await api(channelPath(id, channel, '/pairing'));
    empty(list).append(waiting.length === 0
      ? h('p', { class: 'empty' }, 'Nobody waits to be approved.')
      : dataTable(`Waiting on ${nameOf(channel)}`, ['Sender', 'Id', 'Asked', 'Expires'], waiting.map((request) => [
        request.sender_label, h('span', { class: 'mono' }, request.sender_id), formatTime(request.created_at), formatTime(request.expires_at)])));
  };
  await load();
  const code = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const submit = h('button', { type: 'submit' }, 'Approve');
  const result = h('div', { role: 'status' });
  const form = h('form', { class: 'inline-form' }, labelled('Pairing code', code), submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    whileBusy(submit, main, async () => {
      const approved = await api(channelPath(id, channel, '/pair'), { method: 'POST', body: { code: code.value.trim() } });
      empty(result).append(h('p', { class: 'notice' }, approved.output || `Approved ${approved.code}.`));
      form.reset();
      await load();
    });
  });
  panel(main, `${nameOf(channel)} pairing`, h('p', { class: 'hint small' },
    'A person who writes to the bot gets a code from it; approve it here to let them talk to the agent.'), list, form, result);
}

function actions(main, id, entry, reload) {
  const name = nameOf(entry.channel);
  const open = (control, show) => whileBusy(control, main, show);
  const connect = button(entry.enabled ? 'Reconnect' : 'Connect', () => open(connect, () => connectPanel(main, id, entry.channel, reload)),
    { label: `${entry.enabled ? 'Reconnect' : 'Connect'} ${name}` });
  const status = button('Status', () => open(status, () => statusPanel(main, id, entry.channel)), { label: `Status of ${name}` });
  const pairing = button('Pairing', () => open(pairing, () => pairingPanel(main, id, entry.channel)), { label: `Pairing of ${name}` });
  const list = [connect, status, pairing];
  if (entry.enabled) {
    const disconnect = button('Disconnect', () => {
      if (!confirmAction(`Disconnect ${name}? The bot stops reading messages; its credentials stay stored.`)) return;
      whileBusy(disconnect, main, async () => {
        await api(channelPath(id, entry.channel, '/disconnect'), { method: 'POST' });
        await reload();
      });
    }, { label: `Disconnect ${name}`, kind: 'danger' });
    list.push(disconnect);
  }
  return h('div', { class: 'actions' }, list);
}

export async function render(main, params) {
  const id = params.id;
  const list = h('section', { 'aria-label': 'Channel list' });
  main.append(instanceLink(id), h('h1', {}, 'Channels'), list);
  const reload = async () => {
    const channels = await api(instancePath(id, '/channels'));
    empty(list).append(dataTable('Channels', ['Channel', 'Connection', 'On', 'Actions'], channels.map((entry) => [
      nameOf(entry.channel), entry.connection_type === 'interactive' ? 'QR code' : 'token',
      entry.enabled ? h('span', { class: 'yes' }, 'on') : h('span', { class: 'no' }, 'off'),
      actions(main, id, entry, reload)])));
  };
  try {
    await reload();
  } catch (error) {
    showError(main, error);
  }
}
