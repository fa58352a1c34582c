import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/** The README's "Operations" block: curl and the `modelgate` CLI side by side. */
const README = readFileSync('README.md', 'utf8');
const operations = README.slice(README.indexOf('### Operations'));
const block = /```bash\n([\s\S]*?)```/.exec(operations)?.[1] ?? '';

describe('README: the Operations block runs as written (curl and the CLI)', { timeout: 120_000 }, () => {
  let server: ServerProcess;
  beforeAll(async () => {
    // As the README's quick start runs it: models/, config/gateway.json, a (fresh) SQLite registry.
    server = await startServerProcess({ MODELGATE_MODELS_DIR: 'models', MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('every command succeeds; the CLI prints its tables and the stamps', () => {
    expect(block).toMatch(/^modelgate rollback property-valuation/m);
    expect(block).toMatch(/^curl -s -X POST localhost:8080\/admin\/models\/property-valuation\/rollback/m);
    const host = server.url.replace('http://', '');
    // The block as it stands (its alias and exports included), with this server's address and token.
    const script =
      `set -euo pipefail\nshopt -s expand_aliases\ncurl() { command curl --fail-with-body "$@"; echo; }\nTOKEN=${ADMIN_TOKEN}\n` +
      block.replaceAll('localhost:8080', host);
    const env = { ...process.env };
    for (const name of ['MODELGATE_URL', 'MODELGATE_TOKEN', 'MODELGATE_ADMIN_TOKEN']) delete env[name];
    const out = execFileSync('bash', ['-c', script], { encoding: 'utf8', timeout: 60_000, env });
    expect(out).toMatch(/property-valuation rolled back: all traffic to 1\.0\.0/);
    expect(out).toMatch(/rollback\s+since \S+ by bootstrap-admin: p99 regression/);
    expect(out).toMatch(/rollback of property-valuation cleared: flags route again/);
    expect(out).toMatch(/\nsplit \(requests matching no pin\):\nVERSION\s+PERCENT\s+VIA\n/);
    // Rows are sorted by model: a generated models/mlp-heavy (the bench's) may come first.
    expect(out).toMatch(/\nMODEL\s+VERSION\s+STAGE\s+DATA\s+ALIASES\s+STATE\n(?:.*\n)*?property-valuation\s+1\.0\.0\s+production\s+/);
    expect(out).toMatch(/\nmodel\s+property-valuation\nversion\s+\S+\nroute\s+\S+\ncache\s+\S+\nrequest id\s+\S+\n/);
    expect(out).toMatch(/\ngateway\s+http:\/\/127\.0\.0\.1:\d+\nlive\s+yes\nready\s+yes\nregistry\s+sqlite, reachable\n/);
    expect(out).toMatch(/audit chain\s+ok, \d+ rows/);
  });
});
