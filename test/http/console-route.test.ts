import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/http/app-env.js';
import { errorHandler, notFoundHandler } from '../../src/http/middleware/error-handler.js';
import { CONSOLE_CSP, consoleRoutes } from '../../src/http/routes/console.js';
import { createLogger } from '../../src/logger.js';
import { ExpectedOutcomeLog } from '../../src/logging/expected-outcomes.js';
import { tempDir } from '../support/fixtures.js';

/** Mounted as createApp mounts it: errors rendered by the gateway's one error handler. */
function mounted(dir: string): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const logger = createLogger('silent');
  app.onError(errorHandler(logger, new ExpectedOutcomeLog(logger)));
  app.notFound(notFoundHandler());
  return app.route('/console', consoleRoutes({ dir }));
}

/** The console's static route: a fixed set of built files under a strict CSP (the page itself is tested in e2e/console). */
describe('GET /console', () => {
  const dir = tempDir('modelgate-console-');
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>c</title><script type="module" src="/console/app.js"></script>');
  writeFileSync(join(dir, 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'notes.txt'), 'not an asset type');
  mkdirSync(join(dir, 'sub'));
  const app = mounted(dir);

  it('serves the page with a strict Content-Security-Policy and no caching surprises', async () => {
    const res = await app.request('/console');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toMatch(/default-src 'self'/);
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(await res.text()).toContain('/console/app.js');
  });

  it('serves the script with its type and answers 304 to its etag', async () => {
    const res = await app.request('/console/app.js');
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    const etag = res.headers.get('etag') ?? '';
    expect((await app.request('/console/app.js', { headers: { 'if-none-match': etag } })).status).toBe(304);
  });

  it.each(['/console/notes.txt', '/console/sub', '/console/..%2Fpackage.json', '/console/missing.js'])('refuses %s: only the built assets are served', async (path) => {
    expect((await app.request(path)).status).toBe(404);
  });

  it('says how to build the console when it is not built', async () => {
    const res = await mounted(join(dir, 'nowhere')).request('/console');
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/npm run build/);
  });
});
