import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_SCHEMA, clientSchemaSource } from '../../../scripts/openapi/client-types.js';

const DIR = join(process.cwd(), 'clients', 'typescript');

describe('the TypeScript client package', () => {
  it('has types generated from the current OpenAPI document (else: npm run client:generate)', async () => {
    expect(readFileSync(CLIENT_SCHEMA, 'utf8') === (await clientSchemaSource()), 'clients/typescript/src/schema.ts is stale: run npm run client:generate').toBe(true);
  });

  it('packs cleanly: ESM with types, built files only, openapi-fetch its only dependency', () => {
    const pkg = JSON.parse(readFileSync(join(DIR, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.type).toBe('module');
    expect(Object.keys(pkg.dependencies as object)).toEqual(['openapi-fetch']);
    expect(pkg.devDependencies).toBeUndefined();
    // npm pack builds it first (prepack: tsc).
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=warn'], { cwd: DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    const [packed] = JSON.parse(out.slice(out.indexOf('['))) as { files: { path: string }[] }[];
    const files = packed?.files.map((f) => f.path) ?? [];
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/schema.d.ts']));
    expect(files.filter((f) => !f.startsWith('dist/') && f !== 'package.json' && f !== 'README.md')).toEqual([]);
    const exported = (pkg.exports as Record<string, { types: string; import: string }>)['.'];
    expect(files).toContain(exported?.types.replace('./', ''));
    expect(files).toContain(exported?.import.replace('./', ''));
  });

  it('the built package loads as ESM and exports the client', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', "const m = await import('./dist/index.js'); console.log(Object.keys(m).sort().join(','))"], { cwd: DIR, encoding: 'utf8' });
    expect(out.trim()).toBe('ModelgateClient,ModelgateError');
  });
});
