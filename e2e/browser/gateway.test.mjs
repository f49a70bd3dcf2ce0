// The scripted gateway itself, and Chowder relaying its held stream without a browser: what the chat scenario's
// "tokens before the end" rests on. If Chowder buffered, the browser could not see a delta before the release.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { call, registerInstance, ORG_KEY } from './lib/chowder.mjs';
import { CHOWDER_URL } from './lib/console.mjs';
import { firstHalf, fullAnswer, ScriptedGateway } from './lib/gateway.mjs';

let gateway;

before(async () => {
  gateway = await ScriptedGateway.start();
});

after(async () => {
  await gateway?.close();
});

test('the scripted gateway refuses a wrong token and answers JSON with usage', async () => {
  const wrong = await fetch(`${gateway.url}/v1/responses`, {
    method: 'POST', headers: { Authorization: 'Bearer wrong' }, body: '{"model":"openclaw","input":"hi"}',
  });
  assert.equal(wrong.status, 401);
  const right = await fetch(`${gateway.url}/v1/responses`, {
    method: 'POST', headers: { Authorization: `Bearer ${gateway.token}` }, body: '{"model":"openclaw","input":"hi"}',
  });
  const answer = await right.json();
  assert.equal(answer.status, 'completed');
  assert.equal(answer.usage.total_tokens, 19);
  assert.equal(answer.output[0].content[0].text, fullAnswer(1));
});

test('Chowder relays the first deltas of a stream while the gateway still holds its end', async () => {
  const instance = await registerInstance(gateway);
  const response = await fetch(`${CHOWDER_URL()}/v1/instances/${instance.id}/session/relay-check/responses`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${ORG_KEY()}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'openclaw', input: 'stream please', stream: true }),
  });
  assert.equal(response.status, 200);
  const held = await gateway.nextHeldStream();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let received = '';
  while (!firstHalf(1).every((part) => received.includes(JSON.stringify(part)))) {
    const { value, done } = await reader.read();
    assert.ok(!done, `the stream ended while the gateway held it: ${received}`);
    received += decoder.decode(value, { stream: true });
  }
  assert.ok(!received.includes('response.completed'), 'completed before the gateway was released');
  held.release();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    received += decoder.decode(chunk.value, { stream: true });
  }
  assert.match(received, /event: response\.completed/);
  assert.match(received, /data: \[DONE\]/);
  assert.equal((await call(`/v1/instances/${instance.id}`)).status, 200);
});
