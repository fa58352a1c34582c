import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { requireService } from '../support/services.js';

/** /docs in a real Chromium against a real gateway: Swagger UI renders the document, from this origin only, under the CSP. */
describe.skipIf(!requireService('chromium', chromiumAvailable()))('API reference page in Chromium', () => {
  let server: ServerProcess;
  let browser: BrowserContext;
  let page: Page;
  const violations: string[] = [];
  const foreign: string[] = [];

  beforeAll(async () => {
    server = await startServerProcess({ MODELGATE_REGISTRY: 'off', MODELGATE_MODELS_DIR: 'models' });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) violations.push(m.text());
    });
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('is linked from the console and renders every operation without a CSP violation or another origin', async () => {
    await page.goto(`${server.url}/console`);
    await page.getByRole('link', { name: 'API reference' }).click();
    await page.waitForURL(`${server.url}/docs`);
    await page.getByText('/v1/models/{model}/predict', { exact: true }).first().waitFor({ timeout: 30_000 });
    for (const path of ['/v2/models/{model}/infer', '/admin/models/{model}/rollback', '/v1/feedback']) {
      await expect(page.getByText(path, { exact: true }).first().isVisible()).resolves.toBe(true);
    }
    // An operation opens, with its stamp headers and error codes.
    await page.getByText('/v1/models/{model}/predict', { exact: true }).first().click();
    await page.getByText('x-model-version').first().waitFor();
    expect(violations).toEqual([]);
    expect(foreign).toEqual([]);
  });
});
