import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { checkLayers } from '../../scripts/layers/check.js';

const fn = (name: string, bodyLines: number): string =>
  `export function ${name}(): number {\n${'  void 0;\n'.repeat(bodyLines)}  return 1;\n}\n`;

describe('npm run check:layers', () => {
  it('names the file, the line and the rule of an import the layer table forbids', () => {
    const violations = checkLayers([
      { path: 'src/cache/lru.ts', text: "import type { TensorMap } from '../contracts/tensor.js';\nimport { PredictionService } from '../core/prediction-service.js';\n" },
      { path: 'src/http/routes/x.ts', text: "import { Hono } from 'hono';\n\nimport type { AuditLog } from '../../audit/audit-log.js';\n" },
    ]);
    expect(violations).toEqual([
      { at: 'src/cache/lru.ts:2', rule: expect.stringMatching(/^cache may not import core \(src\/core\/prediction-service\.ts\)/) },
      { at: 'src/http/routes/x.ts:3', rule: expect.stringMatching(/^http may not import audit \(src\/audit\/audit-log\.ts\)/) },
    ]);
  });

  it('keeps Hono in src/http and the composition root, and type imports and import() count too', () => {
    const violations = checkLayers([
      { path: 'src/build-app.ts', text: "import { Hono } from 'hono';\nimport { x } from './registry/tokens.js';\n" },
      { path: 'src/core/a.ts', text: "import type { Context } from 'hono';\nconst m = await import('../registry/tokens.js');\n" },
    ]);
    expect(violations.map((v) => v.at)).toEqual(['src/core/a.ts:1', 'src/core/a.ts:2']);
    expect(violations[0]?.rule).toContain('Hono only in src/http and the composition root');
  });

  it('refuses a file over 300 lines and a function over 80, by name', () => {
    const long = Array.from({ length: 301 }, (_, i) => `export const c${i} = ${i};`).join('\n');
    const violations = checkLayers([
      { path: 'src/routing/long.ts', text: long },
      { path: 'src/routing/fn.ts', text: fn('short', 77) + fn('tooLong', 78) },
    ]);
    expect(violations).toEqual([
      { at: 'src/routing/long.ts:1', rule: 'file is 301 lines (at most 300)' },
      { at: 'src/routing/fn.ts:81', rule: 'function tooLong is 81 lines (at most 80)' },
    ]);
  });

  it('passes on this repository (the command CI runs)', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/check-layers.ts'], { encoding: 'utf8' });
    expect(out).toMatch(/keep the layer table/);
  });
});
