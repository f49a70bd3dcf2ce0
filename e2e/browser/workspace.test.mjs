// Files, skills and channels belong to instances Chowder provisions itself; for a registered gateway (the scripted
// one) each page still opens and says why in an alert, in the API's own words.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, ORG_KEY, registerInstance } from './lib/chowder.mjs';
import { CHOWDER_URL, WAIT, heading, screenshot, signIn, withConsole } from './lib/console.mjs';
import { openPerFile } from './lib/per-file.mjs';

let browser;
let gateway;
openPerFile({ gateway: true }, (opened) => ({ browser, gateway } = opened));

test("a registered gateway's files, skills and channels pages show the API's reason in an alert", async () => {
  const instance = await registerInstance(gateway);
  await withConsole(browser, 'workspace-1', async (page) => {
    await signIn(page, { orgKey: ORG_KEY() });
    for (const [route, title] of [['files', 'Files'], ['skills', 'Skills'], ['channels', 'Channels']]) {
      const answer = await call(`/v1/instances/${instance.id}/${route}`);
      assert.ok(answer.status >= 400 && typeof answer.body?.detail === 'string', `${route}: ${JSON.stringify(answer)}`);
      await page.goto(`${CHOWDER_URL()}/console/#/instances/${instance.id}/${route}`);
      await heading(page, title).waitFor(WAIT);
      await page.getByRole('alert').filter({ hasText: answer.body.detail }).waitFor(WAIT);
      await screenshot(page, route);
    }
  });
});
