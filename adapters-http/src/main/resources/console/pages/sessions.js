// #/instances/<id>/sessions: the instance's sessions, newest activity first, a page at a time; reset or delete one.
import { api } from '../api.js';
import { h, clear, busy, confirmAction, field, formatNumber, formatTime, showError, table } from '../ui.js';

const PAGE_SIZE = 50;

export async function render(main, { id }) {
  const instancePath = `/v1/instances/${encodeURIComponent(id)}`;
  const sessionPath = (sid) => `${instancePath}/session/${encodeURIComponent(sid)}`;
  const list = h('section', { 'aria-label': 'Session list' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Load more');
  const prefix = h('input', { id: 'sessions-prefix', autocomplete: 'off' });
  const filter = h('button', { type: 'submit' }, 'Filter');
  let cursor = null;
  let rows = [];

  const chatLink = (sid) => h('a', { href: `#/instances/${encodeURIComponent(id)}/chat/${encodeURIComponent(sid)}` }, sid);

  const actions = (session) => {
    const reset = h('button', { type: 'button', 'aria-label': `Reset ${session.session_id}` }, 'Reset');
    reset.addEventListener('click', () => {
      if (!confirmAction(`Reset session "${session.session_id}"? Its next message starts from an empty history.`)) return;
      busy(reset, main, async () => {
        await api(`${sessionPath(session.session_id)}/reset`, { method: 'POST' });
        await load(false);
      });
    });
    const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${session.session_id}` }, 'Delete');
    remove.addEventListener('click', () => {
      if (!confirmAction(`Delete session "${session.session_id}"? Its history is deleted from the gateway.`)) return;
      busy(remove, main, async () => {
        await api(sessionPath(session.session_id), { method: 'DELETE' });
        await load(false);
      });
    });
    return h('div', { class: 'actions' }, reset, remove);
  };

  const draw = () => {
    clear(list);
    if (rows.length === 0) {
      list.append(h('p', { class: 'empty' }, 'No sessions yet: a session appears with its first message.'));
      return;
    }
    list.append(table(null, ['Session', 'Last activity', 'Turns', 'Tokens', 'Generation', 'Actions'], rows.map((session) => [
      chatLink(session.session_id),
      formatTime(session.last_used_at),
      formatNumber(session.turns),
      h('span', { title: `${formatNumber(session.input_tokens)} in, ${formatNumber(session.output_tokens)} out` }, formatNumber(session.total_tokens)),
      formatNumber(session.generation),
      actions(session),
    ])));
  };

  async function load(append) {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (prefix.value) query.set('prefix', prefix.value);
    if (append && cursor) query.set('after', cursor);
    const page = await api(`${instancePath}/sessions?${query}`);
    rows = append ? rows.concat(page.sessions) : page.sessions;
    cursor = page.next_cursor;
    more.hidden = !cursor;
    draw();
  }

  more.addEventListener('click', () => busy(more, main, () => load(true)));
  const form = h('form', { novalidate: true, class: 'inline-form', 'aria-label': 'Filter sessions' }, field('Session id prefix', prefix), filter);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(filter, main, () => load(false));
  });
  main.append(
    h('h1', {}, 'Sessions'),
    h('p', {}, h('a', { href: `#/instances/${encodeURIComponent(id)}` }, '← Instance'), ' · ',
      h('a', { href: `#/instances/${encodeURIComponent(id)}/chat` }, 'Chat')),
    form, list, more);
  try {
    await load(false);
  } catch (error) {
    showError(main, error);
  }
}
