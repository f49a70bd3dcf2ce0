// Signing in: a wrong key shows the API's own words in an alert, the organization key opens the instances page, and
// nothing of it lands in a cookie.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ORG_KEY } from './lib/chowder.mjs';
import { CHOWDER_URL, WAIT, gotoSignIn, launchBrowser, withConsole, screenshot, signIn, heading } from './lib/console.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

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
