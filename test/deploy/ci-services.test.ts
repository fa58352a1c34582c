import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/fixtures.js';

/** `.ci/run` stops every service it started: Unleash, Redis, and the PostgreSQL postgres.sh started for Unleash. */
describe('.ci/run leaves no service behind', () => {
  it('stops Unleash (and through it PostgreSQL) and Redis at the end', () => {
    const ci = readFileSync('.ci/run', 'utf8');
    expect(ci).toMatch(/scripts\/services\/unleash\.sh stop/);
    expect(ci).toMatch(/scripts\/services\/redis\.sh stop/);
    const unleash = readFileSync('scripts/services/unleash.sh', 'utf8');
    const stop = unleash.slice(unleash.indexOf('cmd_stop() {'), unleash.indexOf('stop_server() {'));
    expect(stop).toMatch(/postgres\.sh" stop/);
  });

  it('postgres.sh stop leaves a PostgreSQL it did not start running (no mark: nothing is stopped)', () => {
    // A copy in a scratch tree: its mark file lives there, so the shared cluster is never touched.
    const root = tempDir('modelgate-ci-');
    mkdirSync(join(root, 'scripts', 'services'), { recursive: true });
    cpSync('scripts/services/postgres.sh', join(root, 'scripts', 'services', 'postgres.sh'));
    const r = spawnSync('bash', [join(root, 'scripts', 'services', 'postgres.sh'), 'stop'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/not started by this script; left running/);
    const bad = spawnSync('bash', [join(root, 'scripts', 'services', 'postgres.sh'), 'restart'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/usage/);
  });
});
