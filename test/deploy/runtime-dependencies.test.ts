import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every .ts file under a folder. */
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));

/** The package a bare specifier names ('@scope/name/sub' -> '@scope/name', 'name/sub' -> 'name'). */
const packageOf = (spec: string) => spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/');

describe('the served build', () => {
  it('imports only packages in dependencies: `npm ci --omit=dev` (the Dockerfile) keeps them', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> };
    const imported = new Set<string>();
    for (const file of sources('src')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/^(?:import|export)(?! type )[^;]*?from '([^.'][^']*)'/gm)) {
        const spec = m[1] as string;
        if (!spec.startsWith('node:')) imported.add(packageOf(spec));
      }
    }
    expect(imported).toContain('onnx-proto');
    expect([...imported].filter((p) => !(p in pkg.dependencies)).sort()).toEqual([]);
  });
});
