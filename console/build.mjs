// Builds the ops console into dist/console (served by src/http/routes/console.ts): one ES module,
// one stylesheet (uPlot's bundled in), the page. No CDN, no inline script or style (strict CSP).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const out = join(root, '..', 'dist', 'console');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
await build({
  entryPoints: { app: join(root, 'src', 'main.ts'), styles: join(root, 'src', 'styles.css') },
  outdir: out,
  bundle: true,
  minify: true,
  format: 'esm',
  target: 'es2022',
  legalComments: 'eof',
  logLevel: 'warning',
});
copyFileSync(join(root, 'index.html'), join(out, 'index.html'));
for (const f of ['index.html', 'app.js', 'styles.css']) console.log(`console: dist/console/${f} ${statSync(join(out, f)).size} bytes`);
