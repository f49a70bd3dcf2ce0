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
 * Runs `scenario` with a fresh context (no storage shared with other tests) and page at `viewport`, recording the
 * origin of every request the page makes and the page's uncaught errors. Afterwards it asserts that no cookie was set,
 * that every request went to Chowder's origin and that the page threw nothing. When the scenario fails, the error
 * gains what the page showed (URL, alerts) and a screenshot `FAILED-<name>.png`, so a red run says what went wrong.
 */
export async function withConsole(browser, name, scenario, viewport = DESKTOP) {
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
  try {
    await scenario(page);
    assert.deepEqual(await context.cookies(), [], 'the console set a cookie');
    assert.deepEqual([...origins].filter((origin) => origin !== CHOWDER_URL()), [],
      'the console sent requests to another origin than Chowder');
    assert.deepEqual(pageErrors, [], 'the page threw');
  } catch (error) {
    const shown = await whatThePageShows(page, name, pageErrors);
    // node's reporter prints the stack, which holds the message as it was when the error was made.
    error.message += shown;
    error.stack = `${error.stack ?? ''}${shown}`;
    throw error;
  } finally {
    await context.close();
  }
}

async function whatThePageShows(page, name, pageErrors) {
  try {
    await screenshot(page, `FAILED-${name}`);
    const alerts = await page.getByRole('alert').allInnerTexts();
    const headings = await page.getByRole('heading', { level: 1 }).allInnerTexts();
    return `\n  page: ${page.url()}\n  h1: ${JSON.stringify(headings)}\n  alerts: ${JSON.stringify(alerts)}`
      + `\n  page errors: ${JSON.stringify(pageErrors)}\n  screenshot: FAILED-${name}.png`;
  } catch (inspecting) {
    return `\n  (the page could not be inspected: ${inspecting.message})`;
  }
}

/** A full-page screenshot `<name>.png` in SCREENSHOT_DIR. */
export async function screenshot(page, name) {
  const directory = setting('SCREENSHOT_DIR');
  mkdirSync(directory, { recursive: true });
  await page.screenshot({ path: join(directory, `${name}.png`), fullPage: true });
}

/** The page's one `<h1>`, named exactly `name` (each console page names itself so). */
export function heading(page, name) {
  return page.getByRole('heading', { level: 1, name, exact: true });
}

/** Opens the console's sign-in page. */
export async function gotoSignIn(page) {
  await page.goto(`${CHOWDER_URL()}/console/#/signin`);
  await heading(page, 'Sign in').waitFor(WAIT);
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
  await heading(page, 'Sign in').waitFor({ state: 'detached', ...WAIT });
}

/** Navigates the console to a hash route and waits for its page's heading. */
export async function gotoRoute(page, route, title) {
  await page.goto(`${CHOWDER_URL()}/console/#/${route}`);
  await heading(page, title).waitFor(WAIT);
}
