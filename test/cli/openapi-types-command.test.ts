import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/http/openapi/document.js';
import { tempDir } from '../support/fixtures.js';

/** The built `modelgate` command (run `npx tsc -p tsconfig.json` first). */
const modelgate = (...args: string[]) => {
  const r = spawnSync(process.execPath, ['dist/src/cli/main.js', ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

/** Type-check `source` beside the generated file; the diagnostics' messages. */
function typeErrors(dir: string, source: string): string[] {
  const file = join(dir, 'use.ts');
  writeFileSync(file, source);
  const program = ts.createProgram([file], { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: [], lib: ['lib.es2022.d.ts'], skipLibCheck: true });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('modelgate openapi / modelgate types', () => {
  it('openapi prints the whole document, as the gateway builds it', () => {
    const r = modelgate('openapi');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(openApiDocument());
  });

  it("types writes a model's named features as TypeScript that checks instances", () => {
    const dir = tempDir('modelgate-types-');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const r = modelgate('types', 'property-valuation', '--version', '1.0.0', '--out', join(dir, 'pv.ts'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const generated = readFileSync(join(dir, 'pv.ts'), 'utf8');
    expect(generated).toContain('export interface PropertyValuationFeatures');
    const good = `import type { PropertyValuationFeatures } from './pv.js';
const x: PropertyValuationFeatures = { sqft: 1800, bedrooms: 3, bathrooms: 2, year_built: 1995, lot_size: 6000, location_cluster: 'suburb', condition: 4, garage_spaces: 2 };
export default x;`;
    expect(typeErrors(dir, good)).toEqual([]);
    const wrongLabel = good.replace("'suburb'", "'mars'");
    const missing = good.replace('bedrooms: 3, ', '').replaceAll('const x', 'const y').replace('default x', 'const z = y');
    const errors = typeErrors(dir, `${wrongLabel}\n${missing}`).join('\n');
    expect(errors).toMatch(/mars/);
    expect(errors).toMatch(/bedrooms/);
  });

  it('types: the highest version by default; clear failures for unknown models and bad names', () => {
    expect(modelgate('types', 'property-valuation').out).toContain('property-valuation@2.0.0');
    const unknown = modelgate('types', 'no-such-model');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/no model 'no-such-model'/);
    expect(modelgate('types').code).toBe(2);
    expect(modelgate('types', '../etc').code).not.toBe(0);
  });
});
