// The public API, called with the credential the user typed at sign-in (kept in sessionStorage only).

const ORG_KEY = 'chowder.orgKey';
const ADMIN_TOKEN = 'chowder.adminToken';

/** An API answer that was not a success: `detail` is the API's own message. */
export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.detail = detail;
  }
}

/** The signed-in credentials: `{orgKey, adminToken}`, each a string or null. */
export function session() {
  return {
    orgKey: sessionStorage.getItem(ORG_KEY),
    adminToken: sessionStorage.getItem(ADMIN_TOKEN),
  };
}

/** Keeps the credentials for this tab (an empty one is forgotten). */
export function signIn({ orgKey, adminToken }) {
  signOut();
  if (orgKey) sessionStorage.setItem(ORG_KEY, orgKey);
  if (adminToken) sessionStorage.setItem(ADMIN_TOKEN, adminToken);
}

export function signOut() {
  sessionStorage.removeItem(ORG_KEY);
  sessionStorage.removeItem(ADMIN_TOKEN);
}

/** The API's detail as text: a gateway failure nests it as `{"error": "…"}`. */
function detailText(detail, status) {
  if (typeof detail === 'string') return detail;
  if (detail && typeof detail.error === 'string') return detail.error;
  if (detail !== undefined && detail !== null) return JSON.stringify(detail);
  return `HTTP ${status}`;
}

async function failure(response) {
  let detail;
  try {
    detail = (await response.json()).detail;
  } catch {
    detail = undefined;
  }
  return new ApiError(response.status, detailText(detail, response.status));
}

function request(path, { method = 'GET', body, admin = false, credential, signal } = {}) {
  const s = session();
  const key = credential ?? (admin ? s.adminToken : s.orgKey);
  const headers = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  let payload = body;
  if (body !== undefined && !(body instanceof FormData) && !(body instanceof Blob)) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  return fetch(path, { method, headers, body: payload, credentials: 'omit', cache: 'no-store', signal });
}

/**
 * Calls the API: parsed JSON (null for an empty answer), or the Response itself with `raw`.
 * Throws ApiError with the API's detail for any answer that is not a success.
 */
export async function api(path, { method = 'GET', body, admin = false, raw = false, credential } = {}) {
  const response = await request(path, { method, body, admin, credential });
  if (!response.ok) throw await failure(response);
  if (raw) return response;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/** Parses one SSE event block ("event: x\ndata: y") into `{event, data}`; data is JSON when it parses. */
function parseEvent(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
  }
  if (data.length === 0) return null;
  const text = data.join('\n');
  try {
    const json = JSON.parse(text);
    // An event without an `event:` line is named by its data's `type`, as OpenResponses events carry it.
    return { event: event === 'message' && typeof json?.type === 'string' ? json.type : event, data: json };
  } catch {
    return { event, data: text };
  }
}

/** The error message of a `response.failed` event's data. */
export function failureMessage(data) {
  const error = data?.response?.error ?? data?.error;
  return error?.message ?? 'The response failed.';
}

/**
 * Sends `input` to the instance's default session (sessionId null) or a named one, streaming, and yields each
 * server-sent event `{event, data}` as it arrives. A `response.failed` event is yielded with `message` set to its
 * error's message. `signal` (optional) aborts the request, which cancels the agent's turn.
 */
export async function* streamResponse(instanceId, sessionId, input, { signal } = {}) {
  const base = `/v1/instances/${encodeURIComponent(instanceId)}`;
  const path = sessionId ? `${base}/session/${encodeURIComponent(sessionId)}/responses` : `${base}/responses`;
  const response = await request(path, { method: 'POST', body: { model: 'openclaw', input, stream: true }, signal });
  if (!response.ok) throw await failure(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const parsed = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (!parsed) continue;
      if (parsed.data === '[DONE]') return;
      if (parsed.event === 'response.failed' || parsed.data?.type === 'response.failed') {
        parsed.event = 'response.failed';
        parsed.message = failureMessage(parsed.data);
      }
      yield parsed;
    }
  }
}
