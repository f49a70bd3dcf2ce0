// Chowder's API as a program uses it (node's fetch), to set up state a scenario does not test through the browser
// and to check from outside the browser what the console did.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CHOWDER_URL, setting } from './console.mjs';

export const ORG_KEY = () => setting('CHOWDER_ORG_KEY');

/** `fetch` of a Chowder path with `key` as the bearer; returns `{status, body}` (body parsed when JSON). */
export async function call(path, { key = ORG_KEY(), method = 'GET', body } = {}) {
  const response = await fetch(`${CHOWDER_URL()}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: kept as text
  }
  return { status: response.status, body: parsed };
}

/** Like `call`, asserting the status. */
export async function expect(status, path, options) {
  const answer = await call(path, options);
  assert.equal(answer.status, status, `${options?.method ?? 'GET'} ${path}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A name no other test or run uses. */
export function uniqueName(prefix) {
  return `${prefix} ${randomBytes(3).toString('hex')}`;
}

/** Registers an instance against `gateway` through the API (for scenarios that are not about creating one). */
export async function registerInstance(gateway, name = uniqueName('api')) {
  return expect(201, '/v1/instances', {
    method: 'POST', body: { name, gateway_url: gateway.url, gateway_token: gateway.token },
  });
}

/** One non-streamed turn through the API, on the default session or `session`. */
export async function turn(instanceId, input, session) {
  const path = session === undefined ? `/v1/instances/${instanceId}/responses`
    : `/v1/instances/${instanceId}/session/${encodeURIComponent(session)}/responses`;
  return expect(200, path, { method: 'POST', body: { model: 'openclaw', input } });
}
