import { cpSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from '../support/chromium.js';
import { HOUSE_V1, tempDir } from '../support/fixtures.js';
import { CANARY_90_10, flag, writeFlags } from '../support/flags.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { requireService } from '../support/services.js';

const ADMIN = 'console-e2e-admin-token-0001-abcdefghij';
const MODEL = 'property-valuation';
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The ops console in a real headless Chromium against a real gateway process (demo models, a
 * 90/10 canary flag): what an operator sees and does. Traffic runs in the background throughout.
 */
describe.skipIf(!requireService('chromium', chromiumAvailable()))('ops console in Chromium', () => {
  let server: ServerProcess;
  let browser: BrowserContext;
  let page: Page;
  const tokens: Record<string, string> = {};
  let traffic = true;
  let sent = 0;
  const cspViolations: string[] = [];

  /** Two concurrent clients, users spread over the split; every 5th input repeats (cache hits). */
  async function drive(): Promise<void> {
    while (traffic) {
      const i = sent++;
      await fetch(`${server.url}/v1/models/${MODEL}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': `user-${i % 97}`, 'x-request-id': `console-e2e-${i}` },
        body: JSON.stringify({ instances: [{ ...HOUSE_V1, sqft: i % 5 === 0 ? 1800 : 1000 + (i % 3000) }] }),
      }).then((r) => r.arrayBuffer(), () => undefined);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  const signIn = async (token: string, remember = false) => {
    await page.goto(`${server.url}/console`);
    await page.getByLabel('Registry token').fill(token);
    if (remember) await page.getByLabel('Remember on this device').check();
    await page.getByRole('button', { name: 'Sign in' }).click();
  };
  const liveRps = (version: string) => page.locator(`[data-live="${MODEL}"] tr[data-version="${version}"] td.rps`);

  beforeAll(async () => {
    const dir = tempDir('modelgate-console-e2e-');
    const flagsFile = join(dir, 'flags.json');
    writeFlags(flagsFile, [flag(MODEL, { variants: CANARY_90_10 })]);
    // The demo model alone (models/ may also hold the benchmark's mlp-heavy after `npm run bench`).
    const models = join(dir, 'models');
    cpSync(join(process.cwd(), 'models', MODEL), join(models, MODEL), { recursive: true });
    server = await startServerProcess({ MODELGATE_ADMIN_TOKEN: ADMIN, MODELGATE_FLAGS_FILE: flagsFile, MODELGATE_MODELS_DIR: models });
    for (const [principal, role] of [['vera', 'viewer'], ['alice', 'deployer'], ['bob', 'approver']] as const) {
      const created = await fetch(`${server.url}/admin/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ principal, role }),
      });
      tokens[principal] = ((await created.json()) as { token: string }).token;
    }
    void drive();
    void drive();
    browser = await launchChromium();
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('console', (m) => {
      if (/Content.Security.Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
    });
  });

  afterAll(async () => {
    traffic = false;
    if (process.env.CONSOLE_E2E_LOGS) console.log(server?.logs().slice(-6000));
    await browser?.close();
    await server?.stop();
  });

  it('serves the page under a strict CSP, signs in, and shows versions, the 90/10 split and live traffic per version', async () => {
    const res = await page.goto(`${server.url}/console`);
    expect(res?.headers()['content-security-policy']).toMatch(/default-src 'self'/);
    await signIn(ADMIN);
    await expect.poll(() => page.locator('#who').textContent()).toContain('Signed in as bootstrap-admin (admin)');
    expect(page.url()).not.toContain(ADMIN);
    expect(await page.evaluate('[sessionStorage.length, localStorage.length]')).toEqual([1, 0]);

    const versions = page.locator(`table[data-model="${MODEL}"]`);
    await expect.poll(() => versions.textContent()).toMatch(/1\.0\.0production/);
    await expect.poll(() => versions.locator('[data-state="ready"]').count(), { timeout: 5000 }).toBe(3);
    expect(await versions.textContent()).toMatch(/cpu \/ \w+/); // provider / runner
    expect(await versions.textContent()).toMatch(/rmse/); // holdout metrics

    const split = page.locator(`[data-routing="${MODEL}"] table.split`);
    await expect.poll(() => split.textContent()).toMatch(/1\.0\.090 %flag:stable/);
    expect(await split.textContent()).toMatch(/1\.1\.010 %flag:canary/);
    expect(await page.locator(`[data-routing="${MODEL}"]`).textContent()).toContain('Canary analysisnot configured');

    // Both versions take traffic in the live readout (scraped from /metrics once a second).
    await expect.poll(async () => Number(await liveRps('1.1.0').textContent()), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(Number(await liveRps('1.0.0').textContent())).toBeGreaterThan(Number(await liveRps('1.1.0').textContent()));
  });

  it('rolls back in one click with a reason: traffic moves to stable within seconds, the audit row appears', async () => {
    await page.getByRole('button', { name: 'Roll back to 1.0.0' }).click();
    const dialog = page.getByRole('dialog', { name: `Roll back ${MODEL}?` });
    await dialog.getByLabel('Reason (required)').fill('console e2e: canary misbehaves');
    const clicked = Date.now();
    await dialog.getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toContain(`rollback of ${MODEL}: done`);
    await expect.poll(() => page.locator(`[data-routing="${MODEL}"] table.split`).textContent()).toMatch(/Why1\.0\.0100 %fallback:rollback$/);

    // The chart's readout: the canary's requests/s falls to 0, the stable version keeps serving.
    await expect.poll(async () => Number(await liveRps('1.1.0').textContent()), { timeout: 10_000, interval: 250 }).toBe(0);
    const seconds = (Date.now() - clicked) / 1000;
    expect(seconds).toBeLessThan(8);
    expect(Number(await liveRps('1.0.0').textContent())).toBeGreaterThan(0);

    const audit = page.locator('.audit-table');
    await expect.poll(() => audit.locator('tbody tr').first().textContent()).toMatch(/bootstrap-admin|admin/);
    expect(await audit.locator('tbody tr').first().textContent()).toMatch(/rollback.*property-valuation.*console e2e: canary misbehaves/);
    expect(await page.locator('[data-verify]').textContent()).toMatch(/Chain verified/);
    // The README's screenshot: the rollback in the routing panel and the canary's line dropping to 0.
    await new Promise((r) => setTimeout(r, 2500));
    await page.evaluate(`document.querySelector('[data-routing="${MODEL}"]').scrollIntoView()`);
    // Written to docs/ (the committed README image) only when asked, so a test run leaves the tree clean.
    const shot = process.env.UPDATE_SCREENSHOT === '1' ? 'docs/console.png' : join(tempDir('modelgate-console-shot-'), 'console.png');
    await page.screenshot({ path: shot });
    expect(readFileSync(shot).length).toBeGreaterThan(10_000);
  });

  it('clears the rollback: the flag routes 90/10 again, audited', async () => {
    await page.getByRole('button', { name: 'Clear rollback' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Clear rollback' }).click();
    await expect.poll(() => page.locator(`[data-routing="${MODEL}"] table.split`).textContent()).toMatch(/1\.1\.010 %flag:canary/);
    await expect.poll(() => page.locator('.audit-table tbody tr').first().textContent()).toMatch(/rollback\.clear/);
  });

  it('answers "which version answered and why" for a request id', async () => {
    await page.getByLabel('Request id').fill('console-e2e-3');
    await page.getByRole('button', { name: 'Look up' }).click();
    const result = page.locator('.lookup-result');
    await expect.poll(() => result.textContent()).toMatch(/Answered byproperty-valuation@1\.[01]\.0/);
    expect(await result.textContent()).toMatch(/Whythe model's flag chose variant '(stable|canary)'/);
  });

  it('unloads and loads a version, each audited', async () => {
    await page.getByRole('button', { name: `Unload ${MODEL}@2.0.0` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Unload' }).click();
    const versions = page.locator(`table[data-model="${MODEL}"]`);
    await expect.poll(() => versions.locator('[data-state="ready"]').count(), { timeout: 5000 }).toBe(2);
    await page.getByRole('button', { name: `Load ${MODEL}@2.0.0` }).click();
    await expect.poll(() => versions.locator('[data-state="ready"]').count(), { timeout: 10_000 }).toBe(3);
    await expect.poll(() => page.locator('.audit-table').textContent()).toMatch(/model\.unload.*2\.0\.0/);
  });

  it('passes an automated accessibility check (axe-core), wide and narrow, and works from the keyboard', async () => {
    const check = async () => {
      await page.evaluate(axeSource);
      const result = (await page.evaluate(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] })`)) as {
        violations: { id: string; nodes: { target: string[] }[] }[];
      };
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    };
    expect(await check()).toEqual([]);
    await page.setViewportSize({ width: 375, height: 740 });
    await page.reload();
    await expect.poll(() => page.locator(`[data-routing="${MODEL}"]`).count()).toBe(1);
    expect(await check()).toEqual([]);
    // Narrow: nothing wider than the screen but the scrollable tables.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    // Keyboard: Tab reaches the rollback button, Enter opens the dialog, Escape cancels it.
    const rollback = page.getByRole('button', { name: 'Roll back to 1.0.0' });
    const focused = () => page.evaluate('document.activeElement?.textContent');
    for (let i = 0; i < 80 && (await focused()) !== 'Roll back to 1.0.0'; i++) await page.keyboard.press('Tab');
    expect(await rollback.count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    expect(cspViolations).toEqual([]);
  });

  it('a viewer sees everything it may read and is offered no rollback; the gateway refuses one anyway', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    expect(await page.evaluate('[sessionStorage.length, localStorage.length]')).toEqual([0, 0]);
    await signIn(tokens.vera ?? '', true);
    await expect.poll(() => page.locator('#who').textContent()).toContain('Signed in as vera (viewer)');
    expect(await page.evaluate('localStorage.length')).toBe(1); // "remember" ticked
    await expect.poll(() => page.locator(`table[data-model="${MODEL}"]`).count()).toBe(1);
    await expect.poll(() => page.locator('[data-view="routing"]').textContent()).toMatch(/Rollback needs the deployer role; you are viewer|routing unavailable/);
    expect(await page.getByRole('button', { name: /Roll back/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^(Load|Unload|Request promotion|Approve)/ }).count()).toBe(0);
    const refused = await fetch(`${server.url}/admin/models/${MODEL}/rollback`, { method: 'POST', headers: { authorization: `Bearer ${tokens.vera ?? ''}` } });
    expect(refused.status).toBe(403);
  });

  it('a deployer requests a promotion, an approver approves it for production (four eyes shown), both audited', async () => {
    const versions = page.locator(`table[data-model="${MODEL}"]`);
    const switchTo = async (who: string, role: string) => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await signIn(tokens[who] ?? '');
      await expect.poll(() => page.locator('#who').textContent()).toContain(`Signed in as ${who} (${role})`);
      await expect.poll(() => versions.count()).toBe(1);
    };
    await switchTo('alice', 'deployer');
    await page.getByRole('button', { name: `Request promotion of ${MODEL}@1.1.0 to staging` }).click();
    await page.getByRole('dialog').getByLabel('Reason').fill('canary looks good');
    await page.getByRole('dialog').getByRole('button', { name: 'Request promotion' }).click();
    await expect.poll(() => versions.textContent()).toMatch(/1\.1\.0staging/);
    expect(await versions.textContent()).toContain('four eyes: awaiting an approver other than');
    expect(await page.getByRole('button', { name: /^Approve/ }).count()).toBe(0);

    await switchTo('bob', 'approver');
    // The table is drawn again for bob's role once his view loads: wait for it, not for the old one.
    await expect.poll(() => versions.textContent()).toMatch(/four eyes: registered by [\w:.-]+, approved by bob/);
    await page.getByRole('button', { name: `Approve ${MODEL}@1.1.0 for production` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => versions.textContent(), { timeout: 10_000 }).toMatch(/1\.1\.0production/);
    expect(await versions.textContent()).toMatch(/1\.0\.0archived/);
    await expect.poll(() => page.locator('.audit-table').textContent()).toMatch(/bobversion\.stageproperty-valuation@1\.1\.0/);
    expect(await page.locator('.audit-table').textContent()).toMatch(/aliceversion\.stageproperty-valuation@1\.1\.0canary looks good/);
  });
});
