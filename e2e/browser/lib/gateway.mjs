// A scripted OpenClaw gateway on 127.0.0.1, in the shapes Chowder reads (see testing's FakeOpenClawGateway):
// GET /readyz (Chowder's health probe), POST /v1/responses with a bearer token (OpenResponses JSON, or SSE when
// "stream": true) and POST /tools/invoke (sessions_list, sessions reset/delete). A stream sends response.created and
// the first deltas, then HOLDS until the test releases it: a delta seen in the browser while the gateway still holds
// the end of the answer proves it was streamed, with no clock involved.
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';

/** An input containing this makes the gateway end its stream right after the first half, with no completion. */
export const BREAK_STREAM = '[break the stream]';
/**
 * The deltas of the answer to a session's `turn`-th message: the first half is sent before the hold, the second after.
 * The turn number leads, so that a page showing several answers shows which one is streaming.
 */
export const firstHalf = (turn) => [`Turn ${turn}: `, 'alpha ', 'bravo ', 'charlie '];
export const secondHalf = () => ['delta ', 'echo.'];
/** The first half's text, and the whole answer's. */
export const streamedPart = (turn) => firstHalf(turn).join('').trim();
export const fullAnswer = (turn) => [...firstHalf(turn), ...secondHalf()].join('');
export const USAGE = { input_tokens: 12, output_tokens: 7, total_tokens: 19 };

export class ScriptedGateway {
  #server;
  #histories = new Map();
  #waiters = [];
  #held = [];

  constructor(token) {
    this.token = token;
    this.requests = [];
  }

  /** Starts a gateway accepting `token` (a fresh random one by default) on a free loopback port. */
  static async start(token = randomBytes(24).toString('hex')) {
    const gateway = new ScriptedGateway(token);
    gateway.#server = createServer((request, response) => gateway.#handle(request, response).catch((error) => {
      response.destroy(error);
    }));
    await new Promise((resolve) => gateway.#server.listen(0, '127.0.0.1', resolve));
    gateway.url = `http://127.0.0.1:${gateway.#server.address().port}`;
    return gateway;
  }

  /** The next stream the gateway holds (already or later): `{session, input, release()}`. */
  nextHeldStream() {
    const held = this.#held.shift();
    if (held) {
      return Promise.resolve(held);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Turns the gateway answered for a session key as it received it (`chowder-<generation>-<escaped id>`). */
  turns(sessionKey) {
    return this.#histories.get(sessionKey)?.length ?? 0;
  }

  async close() {
    this.#held.forEach((held) => held.release());
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #handle(request, response) {
    const path = new URL(request.url, this.url).pathname;
    if (request.method === 'GET' && path === '/readyz') {
      return json(response, 200, { ready: true });
    }
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return json(response, 401, { error: { message: 'Unauthorized', type: 'unauthorized' } });
    }
    const body = JSON.parse((await readBody(request)) || '{}');
    if (request.method === 'POST' && path === '/v1/responses') {
      return this.#respond(request, response, body);
    }
    if (request.method === 'POST' && path === '/tools/invoke') {
      return this.#tool(response, body);
    }
    return json(response, 404, { error: { message: 'Not Found', type: 'not_found' } });
  }

  async #respond(request, response, body) {
    const session = String(request.headers['x-openclaw-session-key'] ?? 'main');
    const input = inputText(body.input);
    this.requests.push({ session, input, stream: body.stream === true });
    const history = this.#histories.get(session) ?? [];
    history.push(input);
    this.#histories.set(session, history);
    const turn = history.length;
    const id = `resp_${randomBytes(12).toString('hex')}`;
    if (body.stream !== true) {
      return json(response, 200, completedResponse(id, fullAnswer(turn)));
    }
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'close' });
    const send = (type, data) => response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    const pending = { ...completedResponse(id, ''), status: 'in_progress', output: [], usage: null };
    send('response.created', { response: pending });
    send('response.in_progress', { response: pending });
    send('response.output_item.added', { output_index: 0, item: { type: 'message', id: 'msg_1', role: 'assistant', status: 'in_progress', content: [] } });
    send('response.content_part.added', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text: '' } });
    const delta = (text) => send('response.output_text.delta', { item_id: 'msg_1', output_index: 0, content_index: 0, delta: text });
    firstHalf(turn).forEach(delta);
    if (input.includes(BREAK_STREAM)) {
      return response.end();
    }
    await this.#hold({ session, input });
    secondHalf().forEach(delta);
    const text = fullAnswer(turn);
    send('response.output_text.done', { item_id: 'msg_1', output_index: 0, content_index: 0, text });
    send('response.content_part.done', { item_id: 'msg_1', output_index: 0, content_index: 0, part: { type: 'output_text', text } });
    send('response.output_item.done', { output_index: 0, item: messageItem(text) });
    send('response.completed', { response: completedResponse(id, text) });
    response.end('data: [DONE]\n\n');
  }

  #hold(what) {
    return new Promise((resolve) => {
      const held = { ...what, release: resolve };
      const waiter = this.#waiters.shift();
      if (waiter) {
        waiter(held);
      } else {
        this.#held.push(held);
      }
    });
  }

  #tool(response, call) {
    const key = call.args?.sessionKey;
    if (call.tool === 'sessions_list') {
      const sessions = [...this.#histories.keys()].map((name) => ({ key: `agent:main:${name}`, sessionId: name }));
      return json(response, 200, { ok: true, result: { details: { sessions } } });
    }
    if (call.tool === 'sessions' && (call.args?.action === 'reset' || call.args?.action === 'delete')) {
      const name = String(key ?? '').replace(/^agent:main:/, '');
      const deleted = this.#histories.delete(name);
      return json(response, 200, { ok: true, result: call.args.action === 'delete' ? { details: { deleted } } : {} });
    }
    return json(response, 404, { error: { message: 'Tool not available', type: 'not_found' } });
  }
}

function completedResponse(id, text) {
  return {
    id, object: 'response', created_at: Math.floor(Date.now() / 1000), status: 'completed', model: 'openclaw',
    output: [messageItem(text)], usage: USAGE,
  };
}

function messageItem(text) {
  return { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text }] };
}

function inputText(input) {
  if (typeof input === 'string') {
    return input;
  }
  return (Array.isArray(input) ? input : []).flatMap((item) => typeof item.content === 'string'
    ? [item.content] : (item.content ?? []).map((part) => part.text ?? '')).join(' ');
}

function json(response, status, body) {
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

async function readBody(request) {
  const chunks = [];
  for await (const chunk of request) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
