import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/flags.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { HOUSE } from '../support/governance.js';
import { cliGatewayConfig, modelgate } from '../support/modelgate-cli.js';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/postgres.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { requireService } from '../support/services.js';

const MODEL = 'property-valuation';
/** The bound replicas keep (test/integration/replicas.test.ts): a change through one holds on the others within it. */
const CONVERGE_MS = 2000;

async function routeOn(r: ServerProcess): Promise<string | null> {
  const res = await fetch(`${r.url}/v1/models/${MODEL}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(HOUSE) });
  await res.body?.cancel();
  return res.headers.get('x-model-route');
}

/**
 * Two gateway processes on one PostgreSQL registry (a private modelgate_test_* database): a
 * `modelgate rollback --url A` holds on A when it returns and reaches B through the registry's
 * announcement; `status` sees both replicas; the audit row, read through B, carries the token's principal.
 */
describe.skipIf(!requireService('postgres', await postgresAvailable()))('modelgate against a replica pair on PostgreSQL', { timeout: 120_000 }, () => {
  let db: TestDatabase;
  const replicas: ServerProcess[] = [];
  let dora = '';

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { MODELGATE_CONFIG: cliGatewayConfig(['1.0.0'], '1.0.0'), MODELGATE_DATABASE_URL: db.url, MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN };
    // One after the other: the first imports models/ into the empty registry, the second finds it there.
    for (let i = 0; i < 2; i++) replicas.push(await startServerProcess(env));
    const created = await modelgate(['token', 'create', 'dora', '--role', 'deployer', '--url', replicas[0]!.url, '--token', ADMIN_TOKEN]);
    expect(created.code, created.err).toBe(0);
    dora = created.out.trim();
  }, 180_000);

  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await db?.drop();
  });

  it('status through either replica sees both replicas on the shared registry', async () => {
    for (const r of replicas) {
      // Each replica's LISTEN connection comes up right after it starts serving.
      await waitFor(async () => {
        const s = await modelgate(['status', '--json', '--url', r.url, '--token', dora]);
        return (JSON.parse(s.out) as { replicas: { count: number } }).replicas.count === 2;
      }, 10_000);
      const human = await modelgate(['status', '--url', r.url, '--token', dora]);
      expect(human.code, human.err).toBe(0);
      expect(human.out).toMatch(/registry\s+postgres, reachable, listening\n/);
      expect(human.out).toMatch(/replicas seen\s+2\n/);
      expect(human.out).toMatch(/ADDRESS\s+LISTENING SINCE\s+BACKEND PID\n/);
      if (r === replicas[0]) console.log(`modelgate status --url A:\n${human.out}`);
    }
  });

  it('a CLI rollback through A holds on A when it returns and on B at once; audited as dora', async () => {
    const [a, b] = replicas as [ServerProcess, ServerProcess];
    for (const r of replicas) expect(await routeOn(r)).toBe('fallback:no_flag');
    const rb = await modelgate(['rollback', MODEL, '--reason', 'replica pair', '--url', a.url, '--token', dora]);
    const returned = performance.now();
    expect(rb.code, rb.err).toBe(0);
    expect(await routeOn(a)).toBe('fallback:rollback');
    const ms = await waitFor(async () => (await routeOn(b)) === 'fallback:rollback', CONVERGE_MS * 3);
    console.log(`CLI rollback through A: in effect on B ${Math.round(performance.now() - returned)} ms after the command returned (waited ${Math.round(ms)} ms)`);
    expect(ms).toBeLessThanOrEqual(CONVERGE_MS);
    const routing = JSON.parse((await modelgate(['routing', MODEL, '--json', '--url', b.url, '--token', dora])).out) as { rollback: { actor: string } };
    expect(routing.rollback).toMatchObject({ actor: 'dora', reason: 'replica pair' });
    const audit = JSON.parse((await modelgate(['audit', 'list', '--json', '--limit', '1000', '--url', b.url, '--token', dora])).out) as {
      records: { actor: string; action: string; target: string }[];
    };
    expect(audit.records).toContainEqual(expect.objectContaining({ actor: 'dora', action: 'rollback', target: MODEL }));
    expect((await modelgate(['audit', 'verify', '--url', b.url, '--token', dora])).code).toBe(0);

    const cleared = await modelgate(['rollback', MODEL, '--clear', '--url', b.url, '--token', dora]);
    expect(cleared.code, cleared.err).toBe(0);
    expect(await routeOn(b)).toBe('fallback:no_flag');
    await waitFor(async () => (await routeOn(a)) === 'fallback:no_flag', CONVERGE_MS * 3);
  });
});
