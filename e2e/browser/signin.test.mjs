// Signing in: a wrong key shows the API's own words in an alert, the organization key opens the instances page, and
// nothing of it lands in a cookie.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ORG_KEY, call, expect } from './lib/chowder.mjs';
import { CHOWDER_URL, WAIT, gotoRoute, gotoSignIn, screenshot, setting, signIn, heading, withConsole } from './lib/console.mjs';
import { openPerFile } from './lib/per-file.mjs';

let browser;
openPerFile({}, (opened) => ({ browser } = opened));

test('the console is served at /console/ and / leads there', async () => {
  await withConsole(browser, 'signin-1', async (page) => {
    const response = await page.goto(`${CHOWDER_URL()}/`);
    assert.equal(response.status(), 200);
    assert.equal(new URL(page.url()).pathname, '/console/');
    await page.getByRole('heading', { level: 1 }).first().waitFor(WAIT);
    await screenshot(page, 'console-start');
  });
});

test('a wrong key shows "Invalid API key." in an alert and stays on the sign-in page', async () => {
  await withConsole(browser, 'signin-2', async (page) => {
    await gotoSignIn(page);
    await screenshot(page, 'signin');
    // The real key with its last character changed: the API itself answers 401 "Invalid API key.".
    const key = ORG_KEY();
    await page.getByLabel(/organization key/i).fill(`${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`);
    await page.getByRole('button', { name: /sign in/i }).click();
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'Invalid API key.' }).waitFor(WAIT);
    await heading(page, 'Sign in').waitFor(WAIT);
    await screenshot(page, 'signin-wrong-key');
  });
});

test('signing in with the organization key opens the instances page, with no cookie', async () => {
  await withConsole(browser, 'signin-3', async (page) => {
    await signIn(page, { orgKey: ORG_KEY() });
    await heading(page, 'Instances').waitFor(WAIT);
    await screenshot(page, 'instances-after-signin');
    const stored = await page.evaluate(() => ({ local: localStorage.length, cookie: document.cookie }));
    assert.deepEqual(stored, { local: 0, cookie: '' }, 'the key went to localStorage or a cookie');
  });
});

test('a key revoked while signed in gives "Invalid API key." on the next page; signing out forgets the key', async () => {
  // A second organization key, issued by the operator, that the test can revoke without touching the others' key.
  const organization = setting('CHOWDER_ORG_ID');
  const issued = await expect(201, `/v1/admin/organizations/${organization}/keys`,
    { key: setting('CHOWDER_ADMIN_TOKEN'), method: 'POST', body: { name: 'browser sign-out test' } });
  await withConsole(browser, 'signin-4', async (page) => {
    await signIn(page, { orgKey: issued.raw_key });
    await heading(page, 'Instances').waitFor(WAIT);
    await expect(204, `/v1/keys/${issued.id}`, { method: 'DELETE' });
    await gotoRoute(page, 'keys', 'Keys');
    await page.getByRole('alert').filter({ hasText: 'Invalid API key.' }).waitFor(WAIT);
    await screenshot(page, 'keys-revoked-while-signed-in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await heading(page, 'Sign in').waitFor(WAIT);
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a credential stayed in sessionStorage');
    await page.goto(`${CHOWDER_URL()}/console/#/instances`);
    await heading(page, 'Sign in').waitFor(WAIT);
  });
  assert.equal((await call('/v1/organization', { key: issued.raw_key })).status, 401);
});
