import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const PATH = '/admin/models/property-valuation/batching';

/** One request on a connection of its own, so the cluster hands it to the next worker in turn. */
function send(url: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) };
    const req = request(url, { method, agent: false, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the admin batching API under serve --workers 2', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess({ MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info' }, { args: ['--workers', '2'], ready: 'modelgate cluster ready' });
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('a change made through one worker reaches the other', async () => {
    const put = await send(`${server.url}${PATH}`, 'PUT', JSON.stringify({ enabled: true, maxBatchSize: 8, maxQueueDelayMicros: 1000 }));
    expect(put.status).toBe(200);
    const want = { enabled: true, maxBatchSize: 8, maxQueueDelayMicros: 1000, source: 'runtime' };
    // The other worker hears of it over IPC: asked in turn (a connection each) until both agree, 5 s at most.
    let views: unknown[] = [];
    for (let i = 0; i < 50; i++) {
      views = await Promise.all([0, 1, 2, 3].map(async () => JSON.parse((await send(`${server.url}${PATH}`)).body) as unknown));
      if (views.every((v) => expect.objectContaining(want).asymmetricMatch(v))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const v of views) expect(v).toMatchObject(want);
  }, 30_000);
});
