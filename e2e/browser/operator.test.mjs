// The operator's page, signed in with the admin token alone: it lists the organization ConsoleBrowserTest made with
// the CLI, and an organization created there gets a first key (shown once) that works against the tenant API.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, uniqueName } from './lib/chowder.mjs';
import { WAIT, withConsole, screenshot, setting, signIn, heading } from './lib/console.mjs';
import { openPerFile } from './lib/per-file.mjs';

let browser;
openPerFile({}, (opened) => ({ browser } = opened));

test('the operator page lists the organizations and creates one whose key works', async () => {
  await withConsole(browser, 'operator-1', async (page) => {
    await signIn(page, { adminToken: setting('CHOWDER_ADMIN_TOKEN') });
    await heading(page, 'Organizations').waitFor(WAIT);
    const organizations = page.getByRole('table', { name: 'Organizations' });
    await organizations.getByRole('row').filter({ hasText: setting('CHOWDER_ORG_NAME') }).waitFor(WAIT);
    await screenshot(page, 'operator');

    const name = uniqueName('Operator-made');
    await page.getByLabel('Organization name').fill(name);
    await page.getByRole('button', { name: 'Create organization' }).click();
    const shown = page.getByLabel('New key', { exact: true });
    await shown.waitFor(WAIT);
    const rawKey = (await shown.textContent()).trim();
    assert.match(rawKey, /^chd_org_[0-9A-Za-z]{36}$/);
    await organizations.getByRole('row').filter({ hasText: name }).waitFor(WAIT);
    await screenshot(page, 'operator-created');
    const organization = await call('/v1/organization', { key: rawKey });
    assert.equal(organization.status, 200);
    assert.equal(organization.body.name, name);
  });
});

test('a wrong admin token shows "Invalid admin token." and no organization', async () => {
  await withConsole(browser, 'operator-2', async (page) => {
    const token = setting('CHOWDER_ADMIN_TOKEN');
    await page.goto(`${setting('CHOWDER_URL')}/console/#/signin`);
    await page.getByLabel(/admin token/i).fill(`${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.getByRole('alert').filter({ hasText: 'Invalid admin token.' }).waitFor(WAIT);
    await screenshot(page, 'signin-wrong-admin-token');
    assert.equal(await page.getByRole('table', { name: 'Organizations' }).count(), 0);
  });
});
