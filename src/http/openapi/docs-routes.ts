import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Hono, type Context } from 'hono';
import { notFound } from '../../errors/index.js';
import type { AppEnv } from '../app-env.js';
import { CONSOLE_CSP } from '../routes/console.js';
import { openApiDocument } from './document.js';
import { routeTable, type HonoRoute } from './route-table.js';

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>modelgate API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
<link rel="icon" href="/docs/favicon-32x32.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/docs-init.js"></script>
</body>
</html>
`;

/** Kept out of the page: CSP allows no inline script. */
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, validatorUrl: null });\n`;

/** Swagger UI's files used by the page, served from node_modules/swagger-ui-dist (no CDN). */
const VENDORED: Readonly<Record<string, string>> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

const asset = (body: Uint8Array<ArrayBuffer>, type: string): Asset => ({ body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
const text = (s: string) => new Uint8Array(Buffer.from(s));

/** The page's files, read on first use: a fixed set, so a request path can never name anything else. */
function readAssets(): Map<string, Asset> {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const assets = new Map<string, Asset>([
    ['index.html', asset(text(PAGE), 'text/html; charset=utf-8')],
    ['docs-init.js', asset(text(INIT), 'text/javascript; charset=utf-8')],
  ]);
  for (const [name, type] of Object.entries(VENDORED)) assets.set(name, asset(new Uint8Array(readFileSync(join(dir, name))), type));
  return assets;
}

/**
 * GET /openapi.json (the document of the routes this app really mounted, built once on first
 * use) and the reference page at /docs (Swagger UI, vendored, under the console's CSP).
 */
export function docsRoutes(routes: () => readonly HonoRoute[]): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  let json: string | undefined;
  let assets: Map<string, Asset> | undefined;

  app.get('/openapi.json', (c) => {
    if (json === undefined) {
      const table = routeTable(routes());
      json = JSON.stringify(openApiDocument({ present: (method, path) => table.has(`${method} ${path}`) }));
    }
    c.header('content-type', 'application/json');
    c.header('access-control-allow-origin', '*');
    return c.body(json);
  });

  const send = (c: Context<AppEnv>, name: string) => {
    assets ??= readAssets();
    const a = assets.get(name);
    if (!a) throw notFound(`no docs asset '${name.slice(0, 100)}'`);
    c.header('content-security-policy', CONSOLE_CSP);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('cache-control', 'no-cache');
    c.header('etag', a.etag);
    if (c.req.header('if-none-match') === a.etag) return c.body(null, 304);
    c.header('content-type', a.type);
    return c.body(a.body);
  };
  app.get('/docs', (c) => send(c, 'index.html'));
  app.get('/docs/:file{[a-zA-Z0-9._-]+}', (c) => send(c, c.req.param('file')));
  return app;
}
