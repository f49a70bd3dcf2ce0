// #/instances/<id>/chat[/<session>]: a chat pane on the default session or a named one, streamed token by token.
import { streamResponse } from '../api.js';
import { h, clearError, field, showError } from '../ui.js';

/** The text of a completed response's output, for a gateway that sent no deltas. */
function outputText(response) {
  const parts = [];
  for (const item of response?.output ?? []) {
    for (const content of item?.content ?? []) if (typeof content?.text === 'string') parts.push(content.text);
  }
  return parts.join('');
}

function sessionPicker(id, current) {
  const input = h('input', { id: 'chat-session', autocomplete: 'off', placeholder: 'main', value: current ?? '' });
  const open = h('button', { type: 'submit', class: 'secondary' }, 'Open session');
  const form = h('form', { novalidate: true, class: 'inline-form', 'aria-label': 'Session' }, field('Session id (empty: the default session)', input), open);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    location.hash = `#/instances/${encodeURIComponent(id)}/chat${name ? `/${encodeURIComponent(name)}` : ''}`;
  });
  return form;
}

export async function render(main, { id, session }) {
  const sessionId = session ?? null;
  const log = h('div', { class: 'chat-log', role: 'log', 'aria-label': 'Conversation', 'aria-live': 'polite' });
  const message = h('textarea', { id: 'chat-message', rows: '3', required: 'required' });
  const send = h('button', { type: 'submit' }, 'Send');
  const form = h('form', { novalidate: true, class: 'chat-form', 'aria-label': 'Message' }, field('Message', message), send);
  let controller = null;

  async function turn(input) {
    clearError(main);
    send.disabled = true;
    controller = new AbortController();
    log.append(h('p', { class: 'turn turn-user' }, input));
    const answer = document.createTextNode('');
    const agent = h('p', { class: 'turn turn-agent', 'aria-busy': 'true' }, answer);
    log.append(agent);
    log.scrollTop = log.scrollHeight;
    try {
      for await (const { event, data, message: failure } of streamResponse(id, sessionId, input, { signal: controller.signal })) {
        if (event === 'response.output_text.delta' && typeof data?.delta === 'string') {
          answer.appendData(data.delta);
          log.scrollTop = log.scrollHeight;
        } else if (event === 'response.completed' && answer.length === 0) {
          answer.appendData(outputText(data?.response));
        } else if (event === 'response.failed') {
          agent.classList.add('failed');
          agent.append(h('span', { class: 'failure' }, ` (failed: ${failure})`));
          showError(main, new Error(failure));
        }
      }
    } catch (error) {
      if (error?.name !== 'AbortError') showError(main, error);
      agent.classList.add('failed');
    } finally {
      agent.removeAttribute('aria-busy');
      controller = null;
      send.disabled = false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const input = message.value.trim();
    if (!input || send.disabled) return;
    message.value = '';
    turn(input).then(() => message.focus());
  });
  // Enter sends; Shift+Enter starts a new line.
  message.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  main.append(
    h('h1', {}, 'Chat'),
    h('p', {}, h('a', { href: `#/instances/${encodeURIComponent(id)}` }, '← Instance'), ' · ',
      h('a', { href: `#/instances/${encodeURIComponent(id)}/sessions` }, 'Sessions'), ' · ',
      'Session: ', h('code', {}, sessionId ?? 'main (default)')),
    sessionPicker(id, sessionId),
    h('section', { class: 'chat', 'aria-label': 'Chat' }, log, form));
  message.focus();
  // Leaving the page cancels a turn still streaming (the gateway then aborts the agent's run).
  return () => controller?.abort();
}
