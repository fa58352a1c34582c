import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLayers, type SourceText } from './layers/check.js';
import { KNOWN_EXCEPTIONS, LONG_FILES_ALLOWED, LONG_FUNCTIONS_ALLOWED } from './layers/table.js';

/** `npm run check:layers`: the layer table, file and function lengths over every .ts file in src/. */
function sources(dir: string): SourceText[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name).split('\\').join('/'))
    .sort()
    .map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

const files = sources('src');
const violations = checkLayers(files);
for (const v of violations) console.error(`${v.at}: ${v.rule}`);
if (violations.length > 0) {
  console.error(`check:layers: ${violations.length} violation(s) in ${files.length} files (table: scripts/layers/table.ts, docs/architecture.md)`);
  process.exit(1);
}
const debt = KNOWN_EXCEPTIONS.length + LONG_FILES_ALLOWED.length + LONG_FUNCTIONS_ALLOWED.length - 1;
console.log(`check:layers: ${files.length} files in src/ keep the layer table, files <= 300 lines, functions <= 80 lines (${debt} known exceptions left in scripts/layers/table.ts)`);
