import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/** The README's shell blocks. */
const README = readFileSync('README.md', 'utf8');
const blocks = [...README.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');

describe('README examples run as written', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ MODELGATE_REGISTRY: 'off', MODELGATE_MODELS_DIR: 'models' });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('every file a README command posts (-d @f, -F x=@f) is in the repository', () => {
    const files = blocks.flatMap((b) => [...b.matchAll(/(?:-d |=)@([^\s'"]+)/g)].map((m) => m[1] as string)).filter((f) => !f.includes('$'));
    expect(files).toContain('examples/house.json');
    for (const f of files) expect(existsSync(f), f).toBe(true);
  });

  it('the JSON API examples answer predictions (run from the repository root)', () => {
    const block = blocks.find((b) => b.includes('/v1/models/property-valuation/predict')) ?? '';
    // The block as it stands, with the server's address; each curl's answer on its own line.
    const script = `set -euo pipefail\ncurl() { command curl --fail-with-body "$@"; echo; }\n${block.replaceAll('localhost:8080', server.url.replace('http://', ''))}`;
    const out = execFileSync('bash', ['-c', script], { encoding: 'utf8', timeout: 30_000 });
    const answers = out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as { predictions?: unknown[]; models?: unknown[]; error?: string });
    expect(answers.length).toBe((block.match(/^curl /gm) ?? []).length);
    for (const a of answers) {
      expect(a.error).toBeUndefined();
      expect(a.predictions ?? a.models).toBeDefined();
    }
  });
});
