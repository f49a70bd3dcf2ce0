// Keys: a scoped key created in the console is shown once, works for what it was given (checked with node's fetch,
// as the program it is handed to would use it), and stops working the moment it is revoked in the console.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, ORG_KEY, registerInstance, uniqueName } from './lib/chowder.mjs';
import { WAIT, gotoRoute, withConsole, screenshot, signIn, heading } from './lib/console.mjs';
import { openPerFile } from './lib/per-file.mjs';

let browser;
let gateway;
openPerFile({ gateway: true }, (opened) => ({ browser, gateway } = opened));

test('a scoped key is shown once, works, and is refused (401) once revoked', async () => {
  const instance = await registerInstance(gateway, uniqueName('Keyed instance'));
  const other = await registerInstance(gateway, uniqueName('Other instance'));
  await withConsole(browser, 'keys-1', async (page) => {
    await signIn(page, { orgKey: ORG_KEY() });
    await gotoRoute(page, 'keys', 'Keys');
    const name = uniqueName('reader');
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel(instance.name, { exact: true }).check();
    await page.getByLabel('read', { exact: true }).check();
    await screenshot(page, 'keys-create-form');
    await page.getByRole('button', { name: 'Create key' }).click();

    const shown = page.getByLabel('New key', { exact: true });
    await shown.waitFor(WAIT);
    const rawKey = (await shown.textContent()).trim();
    assert.match(rawKey, /^chd_sk_[0-9A-Za-z]{36}$/);
    const row = page.getByRole('row').filter({ hasText: name });
    await row.waitFor(WAIT);
    assert.ok(!(await row.innerText()).includes(rawKey), 'the key list shows the whole key');
    await screenshot(page, 'keys-created');

    assert.equal((await call(`/v1/instances/${instance.id}`, { key: rawKey })).status, 200);
    assert.equal((await call(`/v1/instances/${other.id}`, { key: rawKey })).status, 404, 'an instance it was not given');

    page.once('dialog', (dialog) => dialog.accept());
    await page.getByRole('button', { name: `Revoke ${name}` }).click();
    await row.filter({ hasText: 'revoked' }).waitFor(WAIT);
    const refused = await call(`/v1/instances/${instance.id}`, { key: rawKey });
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
    assert.equal(refused.body.detail, 'Invalid API key.');
    await screenshot(page, 'keys');

    // Shown once: after a reload the key is nowhere on the page.
    await page.reload();
    await heading(page, 'Keys').waitFor(WAIT);
    await page.getByRole('row').filter({ hasText: name }).waitFor(WAIT);
    assert.equal(await page.getByLabel('New key', { exact: true }).count(), 0);
    assert.ok(!(await page.content()).includes(rawKey), 'the raw key is still on the page after a reload');
  });
});
