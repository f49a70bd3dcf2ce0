// Usage: after an instance's turns (two through the API, one streamed in the chat), its usage page draws a chart (an SVG with an accessible name, no chart library)
// and a table whose totals are what the gateway reported.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expect, ORG_KEY, registerInstance, turn } from './lib/chowder.mjs';
import { CHOWDER_URL, WAIT, withConsole, screenshot, signIn, heading } from './lib/console.mjs';
import { openPerFile } from './lib/per-file.mjs';
import { fullAnswer, USAGE } from './lib/gateway.mjs';

let browser;
let gateway;
openPerFile({ gateway: true }, (opened) => ({ browser, gateway } = opened));

/** Waits until the usage API counts `turns` (a stream's usage may be written just after its last byte went out). */
async function awaitTurns(instanceId, turns) {
  for (let attempt = 0; attempt < 60; attempt++) {
    if ((await expect(200, `/v1/instances/${instanceId}/usage`)).turns >= turns) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  assert.fail(`the usage API never counted ${turns} turns`);
}

test('the usage page shows a chart and the tokens of the turns taken', async () => {
  const instance = await registerInstance(gateway);
  await turn(instance.id, 'first turn');
  await turn(instance.id, 'second turn', 'usage/other-session');
  await withConsole(browser, 'usage-1', async (page) => {
    await signIn(page, { orgKey: ORG_KEY() });
    // The third turn streamed in the chat: its tokens come from the stream's response.completed event.
    await page.goto(`${CHOWDER_URL()}/console/#/instances/${instance.id}/chat`);
    await heading(page, 'Chat').waitFor(WAIT);
    await page.getByRole('textbox', { name: 'Message', exact: true }).fill('third turn');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    (await gateway.nextHeldStream()).release();
    await page.getByRole('log').filter({ hasText: fullAnswer(2) }).waitFor(WAIT);
    await awaitTurns(instance.id, 3);
    await page.goto(`${CHOWDER_URL()}/console/#/instances/${instance.id}/usage`);
    await heading(page, 'Usage').waitFor(WAIT);

    const chart = page.getByRole('img', { name: /tokens/i });
    await chart.waitFor(WAIT);
    assert.equal(await chart.evaluate((element) => element.tagName.toLowerCase()), 'svg');
    const name = await chart.getAttribute('aria-label');
    assert.ok(name && name.length > 10, `the chart's accessible name says nothing: ${name}`);
    const total = (3 * USAGE.total_tokens).toLocaleString('en-US');
    assert.ok(name.includes(total), `the chart's name does not give the ${total} tokens: ${name}`);
    const totals = page.getByRole('row').filter({ hasText: 'All keys' });
    await totals.waitFor(WAIT);
    assert.match(await totals.innerText(), new RegExp(`\\b${total}\\b`));
    await screenshot(page, 'usage');
  });
});
