import { cpSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUSE_V1, tempDir } from '../../../test/support/fixtures.js';
import { CANARY_90_10, flag, writeFlags } from '../../../test/support/flags.js';
import { startServerProcess, type ServerProcess } from '../../../test/support/server-process.js';
import { ModelgateClient, ModelgateError, type RetryEvent } from '../src/index.js';

const MODEL = 'property-valuation';
const ADMIN = 'client-test-admin-token-0123456789-abcdef';

/** A models/ folder with the two schema-compatible demo versions. */
function demoModels(): string {
  const models = join(tempDir('modelgate-client-'), 'models');
  for (const v of ['1.0.0', '1.1.0']) cpSync(join(process.cwd(), 'models', MODEL, v), join(models, MODEL, v), { recursive: true });
  return models;
}

const listen = (s: Server | TcpServer): Promise<string> =>
  new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as { port: number }).port}`)));

/** The client against a real gateway process (built: run `npx tsc -p tsconfig.json` first), a 90/10 canary flag. */
describe('TypeScript client against a gateway', () => {
  let gw: ServerProcess;
  let client: ModelgateClient;
  beforeAll(async () => {
    const dir = tempDir('modelgate-client-flags-');
    const flags = join(dir, 'flags.json');
    writeFlags(flags, [flag(MODEL, { variants: CANARY_90_10, tenantPins: { acme: '1.1.0' } })]);
    gw = await startServerProcess({ MODELGATE_MODELS_DIR: demoModels(), MODELGATE_FLAGS_FILE: flags, MODELGATE_REGISTRY: 'off', MODELGATE_ADMIN_TOKEN: ADMIN });
    client = new ModelgateClient({ baseUrl: gw.url, token: ADMIN, timeoutMs: 10_000 });
  }, 90_000);
  afterAll(async () => gw?.stop());

  it('sees the canary split in the stamps, the same user always on the same version', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const r = await client.predict(MODEL, { ...HOUSE_V1, sqft: 1000 + i }, { user: `user-${i}`, requestId: `client-split-${i}` });
      expect(r.predictions).toHaveLength(1);
      expect(typeof r.predictions[0]).toBe('number');
      expect(r.stamps.model).toBe(MODEL);
      expect(r.stamps.requestId).toBe(`client-split-${i}`);
      expect(r.stamps.route).toBe(r.stamps.version === '1.1.0' ? 'flag:canary' : 'flag:stable');
      expect(['hit', 'miss']).toContain(r.stamps.cache);
      seen.set(r.stamps.version, (seen.get(r.stamps.version) ?? 0) + 1);
    }
    const canary = seen.get('1.1.0') ?? 0;
    expect(canary + (seen.get('1.0.0') ?? 0)).toBe(200);
    expect(canary).toBeGreaterThan(5);
    expect(canary).toBeLessThan(50);
    const again = await Promise.all([0, 1, 2].map(() => client.predict(MODEL, HOUSE_V1, { user: 'user-7' })));
    expect(new Set(again.map((r) => r.stamps.version)).size).toBe(1);
    expect(again[2]?.stamps.cache).toBe('hit');
  });

  it("routes a tenant by the flag's tenant strategy", async () => {
    for (let i = 0; i < 10; i++) {
      const r = await client.predict(MODEL, HOUSE_V1, { tenant: 'acme', user: `user-${i}` });
      expect(r.stamps.version).toBe('1.1.0');
      expect(r.stamps.route).toBe('flag:tenant-acme');
    }
  });

  it('pins a version, over the flag', async () => {
    for (const version of ['1.0.0', '1.1.0']) {
      const r = await client.predict(MODEL, [HOUSE_V1, { ...HOUSE_V1, sqft: 2500 }], { version, user: 'user-1' });
      expect(r.stamps.version).toBe(version);
      expect(r.stamps.route).toBe('pinned');
      expect(r.predictions).toHaveLength(2);
    }
  });

  it('rolls back through the client, and releases it', async () => {
    const before = await client.routing(MODEL);
    expect(before.rollback).toBeNull();
    const stable = before.stable_version;
    const rolled = await client.rollback(MODEL, 'client test');
    expect(rolled.rollback?.reason).toBe('client test');
    expect(rolled.effective_split).toEqual([{ version: stable, percent: 100, via: 'fallback:rollback' }]);
    for (let i = 0; i < 40; i++) {
      const r = await client.predict(MODEL, HOUSE_V1, { user: `user-${i}` });
      expect(r.stamps.version).toBe(stable);
      expect(r.stamps.route).toBe('fallback:rollback');
    }
    expect((await client.clearRollback(MODEL)).rollback).toBeNull();
    const versions = new Set<string>();
    for (let i = 0; i < 60; i++) versions.add((await client.predict(MODEL, { ...HOUSE_V1, sqft: 900 + i }, { user: `user-${i}` })).stamps.version);
    expect(versions).toEqual(new Set(['1.0.0', '1.1.0']));
  });

  it('infers with OIP JSON and with binary tensors, to the same outputs', async () => {
    const row = [1800, 3, 2, 1995, 6000, 1, 4, 2];
    const json = await client.infer(MODEL, { inputs: [{ name: 'features', shape: [1, 8], datatype: 'FP32', data: row }] }, { version: '1.0.0' });
    expect(json.model_name).toBe(MODEL);
    expect(json.stamps.version).toBe('1.0.0');
    const price = json.outputs[0]?.data?.[0] as number;
    expect(price).toBeGreaterThan(0);
    const bin = await client.inferBinary(MODEL, [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: Float32Array.from(row) }], { version: '1.0.0' });
    expect(bin.stamps.version).toBe('1.0.0');
    const out = bin.tensors.get(bin.outputs[0]?.name ?? '');
    expect(out).toBeInstanceOf(Float32Array);
    expect(out?.[0]).toBeCloseTo(price, 2);
  });

  it('reads metadata and sends feedback by the stamped request id', async () => {
    const meta = await client.metadata(MODEL, '1.1.0');
    expect(meta.features.map((f) => f.name)).toContain('sqft');
    expect(meta.parameters.version).toBe('1.1.0');
    const r = await client.predict(MODEL, HOUSE_V1, { noCache: true });
    expect(r.stamps.cache).toBe('bypass');
    const fb = await client.feedback(r.stamps.requestId, 350_000);
    expect(fb).toMatchObject({ request_id: r.stamps.requestId, status: 'accepted', model: MODEL, version: r.stamps.version });
    const dup = await client.feedback(r.stamps.requestId, 350_000).catch((e: unknown) => e);
    expect(dup).toBeInstanceOf(ModelgateError);
    expect(dup).toMatchObject({ code: 'conflict', status: 409 });
  });

  it('throws typed errors with code and status, never retrying a 4xx', async () => {
    const retries: RetryEvent[] = [];
    const c = new ModelgateClient({ baseUrl: gw.url, retry: { onRetry: (e) => retries.push(e) } });
    const cases: [() => Promise<unknown>, string, number][] = [
      [() => c.predict('no-such-model', HOUSE_V1), 'model_not_found', 404],
      [() => c.predict(MODEL, { ...HOUSE_V1, sqft: 'big' }), 'invalid_input', 400],
      [() => c.predict(MODEL, HOUSE_V1, { version: '9.9.9' }), 'version_not_found', 404],
      [() => c.rollback(MODEL), 'unauthorized', 401],
      [() => c.metadata('no-such-model'), 'not_found', 404],
    ];
    for (const [call, code, status] of cases) {
      const err = await call().catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(ModelgateError);
      expect(err, code).toMatchObject({ code, status });
      expect((err as ModelgateError).requestId, code).toBeTruthy();
    }
    expect(retries).toEqual([]);
  });

  it('retries a reset connection with the same request id', async () => {
    const ids: string[] = [];
    let first = true;
    // Resets the first connection; forwards the retry to the gateway.
    const flaky = createHttpServer((req, res) => {
      ids.push(String(req.headers['x-request-id']));
      if (first) {
        first = false;
        req.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-') || k === 'content-type')) as Record<string, string>;
        const answer = await fetch(`${gw.url}${req.url}`, { method: req.method, headers, body: Buffer.concat(chunks) });
        res.writeHead(answer.status, Object.fromEntries(answer.headers));
        res.end(Buffer.from(await answer.arrayBuffer()));
      });
    });
    const url = await listen(flaky);
    try {
      const retries: RetryEvent[] = [];
      const c = new ModelgateClient({ baseUrl: url, retry: { baseDelayMs: 10, onRetry: (e) => retries.push(e) } });
      const r = await c.predict(MODEL, HOUSE_V1, { requestId: 'client-reset-1' });
      expect(r.stamps.requestId).toBe('client-reset-1');
      expect(ids).toEqual(['client-reset-1', 'client-reset-1']);
      expect(retries).toHaveLength(1);
      expect(typeof retries[0]?.reason).toBe('string');
    } finally {
      flaky.close();
    }
  });

  it('gives up after its bound, with a typed unreachable error', async () => {
    const refusing = createTcpServer((s: Socket) => s.destroy());
    const url = await listen(refusing);
    try {
      const retries: RetryEvent[] = [];
      const c = new ModelgateClient({ baseUrl: url, retry: { maxRetries: 2, baseDelayMs: 5, onRetry: (e) => retries.push(e) } });
      const err = await c.predict(MODEL, HOUSE_V1, { requestId: 'client-unreachable' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'unreachable', status: 0, requestId: 'client-unreachable' });
      expect(retries.map((e) => e.attempt)).toEqual([1, 2]);
      expect(retries.every((e) => e.requestId === 'client-unreachable')).toBe(true);
    } finally {
      refusing.close();
    }
  });

  it('times out through AbortSignal (the limit, or the caller’s own signal)', async () => {
    const sockets: Socket[] = [];
    const silent = createTcpServer((s: Socket) => void sockets.push(s));
    const url = await listen(silent);
    try {
      const c = new ModelgateClient({ baseUrl: url });
      const timedOut = await c.predict(MODEL, HOUSE_V1, { timeoutMs: 200 }).catch((e: unknown) => e);
      expect((timedOut as Error).name).toBe('TimeoutError');
      const controller = new AbortController();
      const pending = c.predict(MODEL, HOUSE_V1, { signal: controller.signal }).catch((e: unknown) => e);
      controller.abort();
      expect(((await pending) as Error).name).toBe('AbortError');
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });
});

describe('TypeScript client retries under real shedding', () => {
  let gw: ServerProcess;
  beforeAll(async () => {
    // The worker runner answers asynchronously, so concurrent requests really are in flight together.
    const config = join(tempDir('modelgate-client-shed-'), 'gateway.json');
    writeFileSync(config, JSON.stringify({ limits: { maxInFlight: 2 }, cache: { enabled: false }, models: { [MODEL]: { defaultVersion: '1.0.0', runner: 'worker' } } }));
    gw = await startServerProcess({ MODELGATE_CONFIG: config, MODELGATE_MODELS_DIR: demoModels(), MODELGATE_REGISTRY: 'off' });
  }, 90_000);
  afterAll(async () => gw?.stop());

  it('a shed 503 is retried after Retry-After, with the same request id, until it is answered', async () => {
    type Seen = { id: string | null; status: number; echoed: string | null; retryAfter: string | null };
    // A burst of 24 over 2 slots: on a busy machine the requests can arrive one after another and
    // none is shed; the burst is sent again (fresh ids) until one was, at most five times.
    const burst = async (round: number) => {
      const seen: Seen[] = [];
      const recording: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        const id = input instanceof Request ? input.headers.get('x-request-id') : null;
        seen.push({ id, status: res.status, echoed: res.headers.get('x-request-id'), retryAfter: res.headers.get('retry-after') });
        return res;
      };
      const retries: RetryEvent[] = [];
      const c = new ModelgateClient({ baseUrl: gw.url, fetch: recording, retry: { maxRetries: 20, maxDelayMs: 200, onRetry: (e) => retries.push(e) } });
      const ids = Array.from({ length: 24 }, (_, i) => `client-shed-${round}-${i}`);
      const answers = await Promise.all(ids.map((requestId, i) => c.predict(MODEL, { ...HOUSE_V1, sqft: 1000 + i }, { requestId, noCache: true })));
      return { seen, retries, ids, answers };
    };
    let round = 0;
    let r = await burst(round);
    while (!r.seen.some((s) => s.status === 503) && ++round < 5) r = await burst(round);
    const { seen, retries, ids, answers } = r;
    expect(answers.map((a) => a.stamps.requestId)).toEqual(ids);
    const shed = seen.filter((s) => s.status === 503);
    expect(shed.length).toBeGreaterThan(0);
    for (const s of shed) {
      expect(s.retryAfter).toBe('1');
      expect(s.echoed).toBe(s.id);
    }
    expect(retries.length).toBe(shed.length);
    expect(retries.every((e) => e.reason === 503 && e.delayMs >= 200 && e.delayMs <= 250)).toBe(true);
    // Every id that was shed was answered in the end, under that same id.
    for (const s of shed) expect(seen.some((x) => x.id === s.id && x.status === 200)).toBe(true);
  });
});
