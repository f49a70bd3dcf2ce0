// Instances: one registered through the console's form against the scripted gateway shows up in the list, becomes
// running once Chowder's probe reached the gateway, and opens its own page; the list also works on a phone's width.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expect, ORG_KEY, registerInstance, uniqueName } from './lib/chowder.mjs';
import { PHONE, WAIT, withConsole, screenshot, signIn, heading } from './lib/console.mjs';
import { openPerFile } from './lib/per-file.mjs';

let browser;
let gateway;
openPerFile({ gateway: true }, (opened) => ({ browser, gateway } = opened));

/** Reloads the instances page until the instance's row shows `status` (Chowder's probe runs on its own schedule). */
async function awaitRowStatus(page, name, status) {
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });
  for (let attempt = 0; attempt < 60; attempt++) {
    await row.waitFor(WAIT);
    if ((await row.innerText()).includes(status)) {
      return row;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await page.reload();
    await heading(page, 'Instances').waitFor(WAIT);
  }
  assert.fail(`the row of ${name} never showed "${status}": ${await row.innerText()}`);
}

test('an instance registered through the form is listed, becomes running and opens its page', async () => {
  await withConsole(browser, 'instances-1', async (page) => {
    await signIn(page, { orgKey: ORG_KEY() });
    await heading(page, 'Instances').waitFor(WAIT);
    const name = uniqueName('Browser instance');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel(/registered/i).check();
    await page.getByLabel('Gateway URL').fill(gateway.url);
    await page.getByLabel('Gateway token').fill(gateway.token);
    await screenshot(page, 'instances-create-form');
    await page.getByRole('button', { name: 'Create instance' }).click();
    const row = await awaitRowStatus(page, name, 'running');
    assert.match(await row.innerText(), new RegExp(gateway.url.replace(/[.]/g, '\\.')));
    await screenshot(page, 'instances');

    const instances = await expect(200, '/v1/instances');
    const created = instances.find((instance) => instance.name === name);
    assert.ok(created, `the API does not list ${name}`);
    assert.equal(created.gateway_url, gateway.url);
    assert.ok(!(await page.content()).includes(gateway.token), 'the gateway token is shown on the page');

    await page.getByRole('link', { name, exact: true }).click();
    await page.waitForURL(`**/console/#/instances/${created.id}`);
    await page.getByRole('heading', { level: 1 }).filter({ hasText: name }).waitFor(WAIT);
    await page.getByText('running').first().waitFor(WAIT);
    await screenshot(page, 'instance');
  });
});

test('the instances page fits a 375 px wide phone screen', async () => {
  const name = uniqueName('Phone instance');
  await registerInstance(gateway, name);
  await withConsole(browser, 'instances-2', async (page) => {
    await signIn(page, { orgKey: ORG_KEY() });
    await heading(page, 'Instances').waitFor(WAIT);
    await page.getByRole('link', { name, exact: true }).waitFor(WAIT);
    // The navigation collapses behind its menu button; the page itself does not scroll sideways.
    await page.getByRole('button', { name: 'Menu' }).waitFor(WAIT);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
    await screenshot(page, 'instances-phone');
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).waitFor(WAIT);
    await screenshot(page, 'instances-phone-menu');
  }, PHONE);
});
