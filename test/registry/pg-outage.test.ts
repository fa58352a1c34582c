import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/flags.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { createToken, HOUSE, startGoverned, type GovernedGateway } from '../support/governance.js';
import { PrivatePostgres } from '../support/private-postgres.js';
import { requireService } from '../support/services.js';

const MODEL = 'property-valuation';
const available = requireService('PostgreSQL server binaries (private cluster)', PrivatePostgres.available());

/** Sum of a metric's samples whose labels include `labels`. */
async function metric(g: GovernedGateway, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await g.gateway.metrics.exposition();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return text
    .split('\n')
    .filter((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && wanted.every((w) => l.includes(w)))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

const predict = (g: GovernedGateway, id: string) =>
  g.call(`/v1/models/${MODEL}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: JSON.stringify(HOUSE) });

const rollback = (g: GovernedGateway, reason = 'outage test') =>
  g.call(`/admin/models/${MODEL}/rollback`, { method: 'POST', token: ADMIN_TOKEN, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason }) });

const routing = async (g: GovernedGateway, token = ADMIN_TOKEN) => {
  const res = await g.call(`/admin/models/${MODEL}/routing`, { token });
  return { status: res.status, body: (await res.json()) as { rollback: unknown } };
};

describe.skipIf(!available)('shared mode rides out a PostgreSQL outage (a private cluster, stopped and hung)', () => {
  let pg: PrivatePostgres;
  let a: GovernedGateway;
  let b: GovernedGateway;
  let viewer: string;

  beforeAll(async () => {
    pg = await PrivatePostgres.create();
    const registry = { databaseUrl: pg.url, connectTimeoutMs: 1000, statementTimeoutMs: 1500 };
    a = await startGoverned({ versions: ['1.0.0', '1.1.0'], production: '1.0.0', registry });
    b = await startGoverned({ versions: ['1.0.0', '1.1.0'], production: '1.0.0', registry });
    viewer = await createToken(a, 'olivia', 'viewer');
  }, 120_000);

  afterAll(async () => {
    await a?.close();
    await b?.close();
    await pg?.destroy();
  });

  it('predictions answered while PostgreSQL is down are all in the trace once it is back; nothing failed or dropped', async () => {
    expect((await routing(a, viewer)).status).toBe(200); // the viewer's token is now cached
    await pg.stop();
    const ids: string[] = [];
    for (let i = 0; i < 200; i++) {
      const id = `outage-${i}`;
      const res = await predict(a, id);
      expect(res.status).toBe(200);
      ids.push(id);
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 20)); // several flushes, several failed attempts
    }
    expect((await a.gateway.governance?.status())?.traceWaiting).toBe(true);

    // Admin calls while the store is unreachable: a change is refused (503 + Retry-After) and not made.
    const refused = await rollback(a);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { code: string }).code).toBe('store_unavailable');
    const unload = await a.call(`/v2/repository/models/${MODEL}/unload?version=1.1.0`, { method: 'POST', token: ADMIN_TOKEN });
    expect(unload.status).toBe(503);
    expect(a.gateway.repository.get(MODEL, '1.1.0')).toBeDefined();
    // Read-only views keep working with known tokens (the bootstrap one, and a cached role token).
    const view = await routing(a, viewer);
    expect(view.status).toBe(200);
    expect(view.body.rollback).toBeNull();
    expect((await routing(a)).status).toBe(200);
    expect(await metric(a, 'modelgate_registry_listen_connected')).toBe(0);

    await pg.start();
    await a.gateway.governance?.flushTraces();
    for (const id of ids) {
      const res = await a.call(`/admin/predictions/${id}`, { token: ADMIN_TOKEN });
      expect(res.status, id).toBe(200);
    }
    expect(await metric(a, 'modelgate_trace_records_total', { result: 'dropped' })).toBe(0);
    expect(await metric(a, 'modelgate_trace_records_total', { result: 'failed' })).toBe(0);
    // The refused rollback was never made: not in memory, not in the store after the restart.
    expect((await routing(a)).body.rollback).toBeNull();
  }, 120_000);

  it('LISTEN reconnects by itself: a rollback through one replica reaches the other at once (no poll runs)', async () => {
    // Both replicas reconnect with backoff (at most 5 s between attempts).
    await waitFor(async () => (await metric(a, 'modelgate_registry_listen_connected')) === 1 && (await metric(b, 'modelgate_registry_listen_connected')) === 1, 20_000);
    const status = (await (await a.call('/admin/status', { token: viewer })).json()) as { registry: { listening: boolean; reachable: boolean } };
    expect(status.registry).toMatchObject({ listening: true, reachable: true });
    // A token made through one replica works on the other at once (its token cache re-reads on a miss).
    const made2 = await createToken(a, 'pavel', 'viewer');
    expect((await routing(b, made2)).status).toBe(200);
    const made = await rollback(a);
    expect(made.status).toBe(200);
    // pollIntervalMs is 0 here: only the LISTEN connection can carry the change to b.
    await waitFor(async () => (await routing(b)).body.rollback !== null, 3_000);
    expect((await b.call(`/admin/models/${MODEL}/rollback`, { method: 'DELETE', token: ADMIN_TOKEN })).status).toBe(200);
    await waitFor(async () => (await routing(a)).body.rollback === null, 3_000);
  }, 60_000);

  it('with PostgreSQL hung (SIGSTOP), admin calls answer 503 within the configured timeouts instead of hanging', async () => {
    pg.freeze();
    try {
      // The server stays hung until `finally`: without timeouts this call never returns (the test times out).
      const res = await rollback(a, 'while hung');
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).not.toBeNull();
      expect((await predict(a, 'hung-1')).status).toBe(200);
    } finally {
      pg.thaw();
    }
    await a.gateway.governance?.flushTraces();
    expect((await a.call('/admin/predictions/hung-1', { token: ADMIN_TOKEN })).status).toBe(200);
    expect((await routing(a)).body.rollback).toBeNull();
  }, 60_000);
});
