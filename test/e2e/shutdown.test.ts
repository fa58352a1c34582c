import { rawConnection } from '../support/raw-connection.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOUSE_V1 } from '../support/fixtures.js';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { keepAliveLoad, type Outcome } from '../support/keep-alive-load.js';
import { startServerProcess } from '../support/server-process.js';

const predict = (i: number) => ({
  method: 'POST',
  path: '/v1/models/property-valuation/predict',
  headers: { 'content-type': 'application/json', 'x-user-id': `u${i % 50}` },
  body: JSON.stringify({ instances: [{ ...HOUSE_V1, sqft: 1000 + (i % 997) }] }),
});

/**
 * SIGTERM as Kubernetes sends it, under keep-alive load: readiness fails at once, requests go on
 * being served (with Connection: close) for the drain delay, the load balancer stops sending,
 * and then nothing that reached the server is reset, refused or answered "not loaded"; every
 * 200 is in the prediction trace after a restart on the same data; exit 0.
 */
describe('graceful shutdown under keep-alive load (server process)', () => {
  it('loses nothing: 0 resets, only 200s, Connection: close while draining, all traced', async () => {
    const data = mkdtempSync(join(tmpdir(), 'modelgate-shutdown-'));
    const env = { MODELGATE_REGISTRY_DB: join(data, 'registry.db'), MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN, MODELGATE_DRAIN_DELAY_MS: '1500' };
    const server = await startServerProcess(env);
    let sigtermAt = Number.POSITIVE_INFINITY;
    let lbRemovedAt = Number.POSITIVE_INFINITY;
    const load = keepAliveLoad({ url: server.url, connections: 16, next: predict, stop: () => Date.now() >= lbRemovedAt });
    await new Promise((r) => setTimeout(r, 700));
    sigtermAt = Date.now();
    const exitCode = server.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 150));
    const ready = await fetch(`${server.url}/v2/health/ready`, { headers: { connection: 'close' } });
    lbRemovedAt = Date.now() + 500; // the endpoint is gone well inside the drain delay
    const outcomes: Outcome[] = await load;
    expect(ready.status).toBe(503);
    expect(await exitCode).toBe(0);
    expect(server.logs()).toMatch(/shutdown complete/);

    const failed = outcomes.filter((o) => o.status !== 200);
    expect(failed.map((o) => `${o.status} ${o.error ?? o.body}`).slice(0, 5)).toEqual([]);
    const late = outcomes.filter((o) => o.sentAt > sigtermAt + 50);
    expect(late.length).toBeGreaterThan(0);
    expect(late.every((o) => o.connection === 'close')).toBe(true);

    // Every answered prediction is in the trace: restart on the same data and look each up.
    const again = await startServerProcess(env);
    try {
      const missing: string[] = [];
      for (const o of outcomes) {
        const res = await fetch(`${again.url}/admin/predictions/${o.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        if (res.status !== 200) missing.push(o.id);
        await res.body?.cancel();
      }
      expect({ answered: outcomes.length, missing: missing.length }).toEqual({ answered: outcomes.length, missing: 0 });
    } finally {
      await again.stop();
    }
  }, 90_000);

  it('a 413 on a chunked body closes its connection instead of resetting the next request', async () => {
    const server = await startServerProcess({ MODELGATE_MAX_BODY_BYTES: '1024' });
    try {
      const { socket, response, closed } = await rawConnection(server.url);
      const chunk = 'x'.repeat(4096);
      socket.write(
        `POST /v1/models/property-valuation/predict HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n` +
          `${chunk.length.toString(16)}\r\n${chunk}\r\n`,
      );
      await closed;
      expect(response()).toMatch(/^HTTP\/1\.1 413 /);
      expect(response()).toMatch(/\r\nconnection: close\r\n/i);
    } finally {
      await server.stop();
    }
  });
});
