// Usage: after an instance's turns, its usage page draws a chart (an SVG with an accessible name, no chart library)
// and a table whose totals are what the gateway reported.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ORG_KEY, registerInstance, turn } from './lib/chowder.mjs';
import { CHOWDER_URL, WAIT, launchBrowser, withConsole, screenshot, signIn, heading } from './lib/console.mjs';
import { ScriptedGateway, USAGE } from './lib/gateway.mjs';

let browser;
let gateway;

before(async () => {
  browser = await launchBrowser();
  gateway = await ScriptedGateway.start();
});

after(async () => {
  await browser?.close();
  await gateway?.close();
});

test('the usage page shows a chart and the tokens of the turns taken', async () => {
  const instance = await registerInstance(gateway);
  await turn(instance.id, 'first turn');
  await turn(instance.id, 'second turn', 'usage/other-session');
  await turn(instance.id, 'third turn');
  await withConsole(browser, 'usage-1', async (page) => {
    await signIn(page, { orgKey: ORG_KEY() });
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
