// Chat: the answer streams into the page token by token. The scripted gateway holds the end of every answer until the
// test releases it, so seeing the first deltas in the chat log before the release proves they arrived before the
// answer completed, without any clock. The default session and a named one are separate histories.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ORG_KEY, registerInstance, turn } from './lib/chowder.mjs';
import { CHOWDER_URL, WAIT, withConsole, screenshot, signIn, heading } from './lib/console.mjs';
import { openPerFile } from './lib/per-file.mjs';
import { BREAK_STREAM, fullAnswer, ScriptedGateway, streamedPart } from './lib/gateway.mjs';

let browser;
openPerFile({}, (opened) => ({ browser } = opened));

/** A gateway of the test's own (its session histories count this test's turns only), closed after it. */
async function gatewayFor(t) {
  const gateway = await ScriptedGateway.start();
  t.after(() => gateway.close());
  return gateway;
}

/** The session key Chowder sends the gateway for `id` (docs/api.md, "How sessions map to the gateway"). */
function gatewaySessionKey(id) {
  const escaped = [...Buffer.from(id, 'utf8')].map((byte) => {
    const char = String.fromCharCode(byte);
    return /[a-z0-9-]/.test(char) ? char : `_${byte.toString(16).padStart(2, '0')}`;
  }).join('');
  return `chowder-0-${escaped}`;
}

/**
 * Sends `message` from the chat page and checks the streaming: the first deltas are in the log while the gateway
 * holds the rest, then the whole answer once released. Returns the session key the gateway received.
 */
async function chatTurn(page, gateway, message, expectedTurn, screenshotName) {
  const log = page.getByRole('log');
  await page.getByRole('textbox', { name: 'Message', exact: true }).fill(message);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const held = await gateway.nextHeldStream();
  try {
    assert.equal(held.input, message);
    await log.filter({ hasText: streamedPart(expectedTurn) }).waitFor(WAIT);
    const whileHeld = await log.innerText();
    assert.ok(whileHeld.includes(message), `the log does not show the message: ${whileHeld}`);
    assert.ok(!whileHeld.includes(fullAnswer(expectedTurn)), `the end of the answer is shown before the gateway sent it: ${whileHeld}`);
    await screenshot(page, `${screenshotName}-streaming`);
  } finally {
    held.release();
  }
  await log.filter({ hasText: fullAnswer(expectedTurn) }).waitFor(WAIT);
  await page.getByRole('button', { name: 'Send', exact: true }).and(page.locator(':enabled')).waitFor(WAIT);
  await screenshot(page, screenshotName);
  return held.session;
}

test('chat on the default session shows the tokens as they stream, before the answer completes', async (t) => {
  const gateway = await gatewayFor(t);
  const instance = await registerInstance(gateway);
  await withConsole(browser, 'chat-1', async (page) => {
    await signIn(page, { orgKey: ORG_KEY() });
    await page.goto(`${CHOWDER_URL()}/console/#/instances/${instance.id}/chat`);
    await heading(page, 'Chat').waitFor(WAIT);
    assert.equal(await chatTurn(page, gateway, 'Hello from the browser', 1, 'chat'), gatewaySessionKey('main'));
    assert.equal(await chatTurn(page, gateway, 'And once more', 2, 'chat-second-turn'), gatewaySessionKey('main'));
  });
});

test('chat on a named session keeps its own history, apart from the default session', async (t) => {
  const gateway = await gatewayFor(t);
  const instance = await registerInstance(gateway);
  await turn(instance.id, 'a turn on the default session first');
  const session = 'Support/Ticket 7';
  await withConsole(browser, 'chat-2', async (page) => {
    await signIn(page, { orgKey: ORG_KEY() });
    await page.goto(`${CHOWDER_URL()}/console/#/instances/${instance.id}/chat`);
    await heading(page, 'Chat').waitFor(WAIT);
    await page.getByLabel(/session id/i).fill(session);
    await page.getByRole('button', { name: /open session/i }).click();
    await page.waitForURL(`**/chat/${encodeURIComponent(session)}`);
    await heading(page, 'Chat').waitFor(WAIT);
    // Turn 1 of its own: merged with the default session it would be turn 2.
    assert.equal(await chatTurn(page, gateway, 'Hello, named session', 1, 'chat-named-session'), gatewaySessionKey(session));

    await page.goto(`${CHOWDER_URL()}/console/#/instances/${instance.id}/sessions`);
    await heading(page, 'Sessions').waitFor(WAIT);
    await page.getByRole('row').filter({ hasText: session }).waitFor(WAIT);
    await page.getByRole('row').filter({ hasText: 'main' }).first().waitFor(WAIT);
    await screenshot(page, 'sessions');
  });
});

test('a stream the gateway breaks off shows the failure in an alert, and the next turn works', async (t) => {
  const gateway = await gatewayFor(t);
  const instance = await registerInstance(gateway);
  await withConsole(browser, 'chat-3', async (page) => {
    await signIn(page, { orgKey: ORG_KEY() });
    await page.goto(`${CHOWDER_URL()}/console/#/instances/${instance.id}/chat`);
    await heading(page, 'Chat').waitFor(WAIT);
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill(`Please ${BREAK_STREAM}`);
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    // Chowder ends a stream its gateway cut short with a response.failed event in the gateway's shape.
    const failure = 'Gateway error – the stream ended before the response completed.';
    await page.getByRole('log').filter({ hasText: streamedPart(1) }).waitFor(WAIT);
    await page.getByRole('log').filter({ hasText: failure }).waitFor(WAIT);
    await page.getByRole('alert').filter({ hasText: failure }).waitFor(WAIT);
    await screenshot(page, 'chat-failed');
    await page.getByRole('button', { name: 'Send', exact: true }).and(page.locator(':enabled')).waitFor(WAIT);
    assert.equal(await chatTurn(page, gateway, 'And now a whole answer', 2, 'chat-after-failure'), gatewaySessionKey('main'));
  });
});
