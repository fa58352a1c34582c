import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUSE_V1 } from '../support/fixtures.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const MODEL = 'property-valuation';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on a connection of its own, so the cluster hands it to the next worker in turn. */
function send(url: string, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent: false, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

describe('modelgate serve --workers 2 (real cluster, two worker processes)', () => {
  let server: ServerProcess;
  const predict = (headers: Record<string, string> = {}) =>
    send(`${server.url}/v1/models/${MODEL}/predict`, 'POST', JSON.stringify({ instances: [HOUSE_V1] }), headers);
  const many = async (n: number, headers: Record<string, string> = {}) => {
    const out: Reply[] = [];
    for (let i = 0; i < n; i++) out.push(await predict(headers));
    return out;
  };
  const tally = (replies: Reply[], header: string) => {
    const t: Record<string, number> = {};
    for (const r of replies) t[`${r.status} ${String(r.headers[header])}`] = (t[`${r.status} ${String(r.headers[header])}`] ?? 0) + 1;
    return t;
  };
  const counter = (text: string, series: string) => Number(text.split('\n').find((l) => l.startsWith(`${series} `))?.split(' ')[1] ?? 0);

  beforeAll(async () => {
    server = await startServerProcess(
      { MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info' },
      { args: ['--workers', '2'], ready: 'modelgate cluster ready' },
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves from both workers, and /metrics on either sums the counts of both', async () => {
    const replies = await many(20);
    // Each worker has its own L1: the same body is computed once per worker, then hits.
    expect(tally(replies, 'x-cache')).toEqual({ '200 miss': 2, '200 hit': 18 });
    for (let i = 0; i < 2; i++) {
      const metrics = (await send(`${server.url}/metrics`)).body;
      expect(counter(metrics, `modelgate_inference_requests_total{model="${MODEL}",version="1.0.0",protocol="v1",status="success"}`)).toBe(20);
      expect(counter(metrics, `modelgate_cache_requests_total{model="${MODEL}",result="miss"}`)).toBe(2);
      expect(counter(metrics, `modelgate_model_state{model="${MODEL}",version="1.0.0",state="ready"}`)).toBe(1);
    }
  });

  it('a reload made through one worker invalidates the cache of every worker', async () => {
    await many(4);
    const reload = await send(`${server.url}/v2/repository/models/${MODEL}/load?version=1.0.0`, 'POST', undefined, admin);
    expect(reload.status).toBe(200);
    // 2 misses before, then one per worker once the reload has reached it (the other worker's
    // replay loads and warms a session first, so it may answer from its old cache meanwhile).
    const misses = async () => counter((await send(`${server.url}/metrics`)).body, `modelgate_cache_requests_total{model="${MODEL}",result="miss"}`);
    await waitUntil(async () => (await many(2), (await misses()) >= 4));
    expect(tally(await many(4), 'x-cache')).toEqual({ '200 hit': 4 });
    expect(await misses()).toBe(4);
  });

  it('a rollback and an unload made through one worker are in effect on every worker', async () => {
    expect((await send(`${server.url}/admin/models/${MODEL}/rollback`, 'POST', '{"reason":"test"}', admin)).status).toBe(200);
    await waitUntil(async () => Object.keys(tally(await many(4), 'x-model-route')).every((k) => k.includes('rollback')));
    expect((await send(`${server.url}/admin/models/${MODEL}/rollback`, 'DELETE', undefined, admin)).status).toBe(200);
    await waitUntil(async () => Object.keys(tally(await many(4), 'x-model-route')).every((k) => !k.includes('rollback')));

    const pinned = { 'x-model-version': '1.1.0' };
    expect(tally(await many(4, pinned), 'x-model-version')).toEqual({ '200 1.1.0': 4 });
    expect((await send(`${server.url}/v2/repository/models/${MODEL}/unload?version=1.1.0`, 'POST', undefined, admin)).status).toBe(200);
    await waitUntil(async () => (await many(4, pinned)).every((r) => r.status === 404));
    expect((await send(`${server.url}/v2/repository/models/${MODEL}/load?version=1.1.0`, 'POST', undefined, admin)).status).toBe(200);
    await waitUntil(async () => (await many(4, pinned)).every((r) => r.status === 200));
  });

  it('SIGTERM to the primary drains every worker and exits 0', async () => {
    const code = await server.stop('SIGTERM');
    expect(code).toBe(0);
    expect(server.logs().match(/"msg":"shutdown complete"/g)?.length).toBe(2);
    expect(server.logs()).toContain('cluster shutdown complete');
  });
});

/** Replicated actions travel by IPC: poll (within 5 s) until every worker shows them. */
async function waitUntil(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('not in effect on every worker within 5 s');
}
