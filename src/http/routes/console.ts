import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { notFound } from '../../errors/index.js';
import type { AppEnv } from '../app-env.js';

/**
 * Everything the page may load comes from this origin; no inline script or style (the build
 * emits none), no frames, no plugins, no form posts elsewhere. uPlot styles its canvas through
 * the CSSOM (element.style), which CSP does not govern.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

/** Where `npm run build` writes the console: dist/console, beside dist/src. */
function defaultDir(): string {
  const here = fileURLToPath(import.meta.url);
  // Built: dist/src/http/routes/console.js; from source (vitest, tsx): src/http/routes/console.ts.
  return fileURLToPath(new URL(here.endsWith('.ts') ? '../../../dist/console/' : '../../../console/', import.meta.url));
}

/** The built files, read once: a fixed set, so a request path can never name anything else. */
function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    const path = join(dir, name);
    if (!type || !statSync(path).isFile()) continue;
    const body = new Uint8Array(readFileSync(path));
    assets.set(name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

/**
 * The ops console (issue 13) at /console: a static page plus its bundled script and styles,
 * under a strict Content-Security-Policy. The page talks to the admin API with the token the
 * user signs in with; this route itself needs none (it holds no data).
 */
export function consoleRoutes(opts: { dir?: string } = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const assets = readAssets(opts.dir ?? defaultDir());

  const send = (c: Context<AppEnv>, name: string) => {
    const asset = assets.get(name);
    if (!asset) {
      if (name === 'index.html') throw notFound('the console is not built: run npm run build');
      throw notFound(`no console asset '${name.slice(0, 100)}'`);
    }
    c.header('content-security-policy', CONSOLE_CSP);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('cross-origin-opener-policy', 'same-origin');
    // Revalidate every load: a new build is picked up without a stale script talking to a new API.
    c.header('cache-control', 'no-cache');
    c.header('etag', asset.etag);
    if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304);
    c.header('content-type', asset.type);
    return c.body(asset.body);
  };

  app.get('/', (c) => send(c, 'index.html'));
  app.get('/:file{[a-zA-Z0-9._-]+}', (c) => send(c, c.req.param('file')));
  return app;
}
