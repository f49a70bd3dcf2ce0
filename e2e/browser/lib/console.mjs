// The browser side of the console tests: Debian's Chromium driven by playwright-core, one context per test with
// every request's origin recorded (the console must talk to Chowder's origin only), full-page screenshots into
// SCREENSHOT_DIR, and the sign-in every scenario starts with.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 812 };
// A loaded 2-core machine: generous waits, never a timing assertion.
export const WAIT = { timeout: 60_000 };

/** The settings ConsoleBrowserTest passes; a test run by hand names what is missing. */
export function setting(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run these tests through ConsoleBrowserTest (see docs/testing.md)`);
  return value;
}

export const CHOWDER_URL = () => setting('CHOWDER_URL').replace(/\/$/, '');

export async function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 120_000 });
}

/**
 * A fresh context (no storage shared with other tests) and page at `viewport`, recording the origin of every request
 * the page makes. `finish()` asserts that no cookie was set and that every request went to Chowder's origin.
 */
export async function openConsole(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(WAIT.timeout);
  const page = await context.newPage();
  const origins = new Set();
  const pageErrors = [];
  context.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol === 'http:' || url.protocol === 'https:') {
      origins.add(url.origin);
    }
  });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  return {
    context,
    page,
    pageErrors,
    async finish() {
      assert.deepEqual(await context.cookies(), [], 'the console set a cookie');
      assert.deepEqual([...origins].filter((origin) => origin !== CHOWDER_URL()), [],
        'the console sent requests to another origin than Chowder');
      await context.close();
    },
  };
}

/** A full-page screenshot `<name>.png` in SCREENSHOT_DIR. */
export async function screenshot(page, name) {
  const directory = setting('SCREENSHOT_DIR');
  mkdirSync(directory, { recursive: true });
  await page.screenshot({ path: join(directory, `${name}.png`), fullPage: true });
}

/** Opens the console's sign-in page. */
export async function gotoSignIn(page) {
  await page.goto(`${CHOWDER_URL()}/console/#/signin`);
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor(WAIT);
}

/** Signs in with an organization key (and/or an admin token) through the form, and waits to leave the sign-in page. */
export async function signIn(page, { orgKey = '', adminToken = '' } = {}) {
  await gotoSignIn(page);
  if (orgKey) {
    await page.getByLabel(/organization key/i).fill(orgKey);
  }
  if (adminToken) {
    await page.getByLabel(/admin token/i).fill(adminToken);
  }
  await page.getByRole('button', { name: /sign in/i }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor({ state: 'detached', ...WAIT });
}

/** Navigates the console to a hash route and waits for its page's heading. */
export async function gotoRoute(page, route, heading) {
  await page.goto(`${CHOWDER_URL()}/console/#/${route}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor(WAIT);
}
