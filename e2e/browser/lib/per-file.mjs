// What every browser test file opens once for its tests and closes after them: the browser and, when asked, a
// scripted gateway.
import { after, before } from 'node:test';
import { launchBrowser } from './console.mjs';
import { ScriptedGateway } from './gateway.mjs';

/** Registers the file's before/after hooks; `opened({browser, gateway})` receives them once they run. */
export function openPerFile({ gateway = false } = {}, opened) {
  const shared = {};
  before(async () => {
    shared.browser = await launchBrowser();
    if (gateway) shared.gateway = await ScriptedGateway.start();
    opened(shared);
  });
  after(async () => {
    await shared.browser?.close();
    await shared.gateway?.close();
  });
}
