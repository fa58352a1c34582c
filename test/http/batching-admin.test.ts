import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEngine } from '../../src/registry/engines/sqlite-engine.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { createToken, startGoverned, type GovernedGateway } from '../support/governance.js';

const MODEL = 'property-valuation';
const PATH = `/admin/models/${MODEL}/batching`;
const row = (i: number) => [1500 + i, 3, 2, 1990, 4000, 2, 3, 1];

interface View {
  model: string;
  enabled: boolean;
  maxBatchSize: number;
  maxQueueDelayMicros: number;
  source: string;
  versions: { version: string; batchable: boolean }[];
}

const put = (g: GovernedGateway, token: string | undefined, body: unknown) =>
  g.call(PATH, { method: 'PUT', ...(token ? { token } : {}), headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

const predict = async (g: GovernedGateway, i: number) => {
  const res = await g.call(`/v2/models/${MODEL}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cache-control': 'no-cache' },
    body: JSON.stringify({ inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: row(i) }] }),
  });
  return { status: res.status, body: (await res.json()) as { outputs: { data: number[] }[] } };
};

/** Batches executed so far and the requests in them (modelgate_batch_size, all versions of the model). */
async function batches(g: GovernedGateway): Promise<{ count: number; sum: number }> {
  const text = await (await g.call('/metrics')).text();
  const num = (re: RegExp) => [...text.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
  return { count: num(/^modelgate_batch_size_count\{model="property-valuation"[^}]*\} (\S+)$/gm), sum: num(/^modelgate_batch_size_sum\{model="property-valuation"[^}]*\} (\S+)$/gm) };
}

describe('GET/PUT /admin/models/:model/batching', () => {
  let g: GovernedGateway | undefined;
  afterEach(async () => {
    await g?.close();
    g = undefined;
  });

  it('viewer reads, deployer changes (audited with the principal), others are refused; bad bodies and unknown models are 4xx', async () => {
    g = await startGoverned();
    const viewer = await createToken(g, 'vic', 'viewer');
    const dora = await createToken(g, 'dora', 'deployer');
    const before = (await (await g.call(PATH, { token: viewer })).json()) as View;
    expect(before).toMatchObject({ model: MODEL, enabled: false, source: 'config' });
    expect(before.versions[0]).toMatchObject({ version: '1.0.0', batchable: true });

    expect((await g.call(PATH)).status).toBe(401);
    expect((await put(g, viewer, { enabled: true })).status).toBe(403);
    for (const bad of [{ enabled: 'yes' }, { maxBatchSize: 0 }, { maxQueueDelayMicros: 5_000_000 }, { other: 1 }]) expect((await put(g, dora, bad)).status).toBe(400);
    expect((await put(g, dora, 'not an object')).status).toBe(400);
    expect((await g.call('/admin/models/nope/batching', { token: viewer })).status).toBe(404);

    const res = await put(g, dora, { enabled: true, maxBatchSize: 16, maxQueueDelayMicros: 3000 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ enabled: true, maxBatchSize: 16, maxQueueDelayMicros: 3000, source: 'runtime' });
    // Fields left out keep their value.
    expect(await (await put(g, dora, { maxQueueDelayMicros: 500 })).json()).toMatchObject({ enabled: true, maxBatchSize: 16, maxQueueDelayMicros: 500 });
    expect(await (await g.call(PATH, { token: viewer })).json()).toMatchObject({ enabled: true, maxBatchSize: 16, maxQueueDelayMicros: 500 });

    const audit = (await (await g.call('/admin/audit?action=model.batching', { token: ADMIN_TOKEN })).json()) as { records: { actor: string; target: string; before: unknown; after: unknown }[] };
    expect(audit.records.map((r) => ({ actor: r.actor, target: r.target, before: r.before, after: r.after }))).toEqual([
      { actor: 'dora', target: MODEL, before: { enabled: false, maxBatchSize: before.maxBatchSize, maxQueueDelayMicros: before.maxQueueDelayMicros }, after: { enabled: true, maxBatchSize: 16, maxQueueDelayMicros: 3000 } },
      { actor: 'dora', target: MODEL, before: { enabled: true, maxBatchSize: 16, maxQueueDelayMicros: 3000 }, after: { enabled: true, maxBatchSize: 16, maxQueueDelayMicros: 500 } },
    ]);
  });

  it('takes effect on the next requests, and requests queued under the old setting are answered, not dropped', async () => {
    g = await startGoverned();
    const alone = await Promise.all([1, 2, 3, 4].map((i) => predict(g as GovernedGateway, i)));
    expect(await batches(g)).toEqual({ count: 0, sum: 0 });

    // A long delay: concurrent requests wait for each other and go out as one batch of 4.
    expect((await put(g, ADMIN_TOKEN, { enabled: true, maxBatchSize: 4, maxQueueDelayMicros: 1_000_000 })).status).toBe(200);
    const batched = await Promise.all([1, 2, 3, 4].map((i) => predict(g as GovernedGateway, i)));
    expect(batched.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(batched.map((r) => r.body.outputs[0]?.data)).toEqual(alone.map((r) => r.body.outputs[0]?.data));
    expect(await batches(g)).toEqual({ count: 1, sum: 4 });

    // Three requests queued for a batch of 64 (up to 1 s); the setting changes under them.
    expect((await put(g, ADMIN_TOKEN, { maxBatchSize: 64 })).status).toBe(200);
    const queued = [1, 2, 3].map((i) => predict(g as GovernedGateway, i));
    await new Promise((r) => setTimeout(r, 50));
    expect((await put(g, ADMIN_TOKEN, { maxBatchSize: 2, maxQueueDelayMicros: 0 })).status).toBe(200);
    expect((await Promise.all(queued)).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(await batches(g)).toMatchObject({ sum: 7 });

    // Switched off while requests wait: they are sent, and later requests run alone.
    expect((await put(g, ADMIN_TOKEN, { maxBatchSize: 64, maxQueueDelayMicros: 1_000_000 })).status).toBe(200);
    const waiting = [1, 2].map((i) => predict(g as GovernedGateway, i));
    await new Promise((r) => setTimeout(r, 50));
    expect((await put(g, ADMIN_TOKEN, { enabled: false })).status).toBe(200);
    expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([200, 200]);
    const after = await batches(g);
    expect(after.sum).toBe(9);
    await Promise.all([1, 2, 3].map((i) => predict(g as GovernedGateway, i)));
    expect(await batches(g)).toEqual(after);
  });

  it('a change that cannot be audited (the registry disk full) is refused with 503 and changes nothing', async () => {
    g = await startGoverned();
    const engine = g.gateway.governance?.handle.engine;
    if (!(engine instanceof SqliteEngine)) throw new Error('expected the SQLite engine');
    const { db } = engine;
    db.exec('CREATE TABLE IF NOT EXISTS test_filler (x BLOB)');
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true })) + 4}`);
    // Filled to the last bytes: big rows, then small ones, so even an audit row finds no room.
    for (const size of [4000, 200, 10]) {
      expect(() => {
        for (;;) db.prepare(`INSERT INTO test_filler VALUES (randomblob(${size}))`).run();
      }).toThrow(/full/i);
    }
    // The audit table's own last page too (a row fits where its table has room).
    for (const size of [2000, 100, 1]) {
      for (;;) {
        const ok = await g.gateway.audit.append({ actor: 'filler', action: 'test.fill', target: 'disk', reason: 'x'.repeat(size) }).then(() => true, () => false);
        if (!ok) break;
      }
    }
    const res = await put(g, ADMIN_TOKEN, { enabled: true, maxBatchSize: 8 });
    expect(res.status).toBe(503);
    expect(await (await g.call(PATH, { token: ADMIN_TOKEN })).json()).toMatchObject({ enabled: false, source: 'config' });
  });
});
