import { connect, type Socket } from 'node:net';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { GatewayConfigInput } from '../../src/config/schema.js';
import type { Gateway } from '../../src/gateway.js';
import type { CloseReason } from '../../src/http/connection-guard.js';
import { HttpServer, type FetchHandler } from '../../src/http/server.js';
import { HOUSE_V1, copyDemoModels } from '../support/fixtures.js';
import { startGateway } from '../support/gateway.js';

const PREDICT = '/v1/models/property-valuation/predict';

interface Served {
  url: string;
  port: number;
  closed: CloseReason[];
  http: HttpServer;
  stop(): Promise<void>;
}

/** The gateway's node server (as `serve` builds it) on an ephemeral loopback port, over any fetch handler. */
async function serve(fetch: FetchHandler, server: NonNullable<GatewayConfigInput['server']> = {}, http: GatewayConfigInput['http'] = {}): Promise<Served> {
  const config = parseConfig({ server, http });
  const closed: CloseReason[] = [];
  const hs = new HttpServer(fetch, config.server, { trustedProxies: config.http.trustedProxies, onConnectionClosed: (r) => closed.push(r) });
  const port = await hs.listen(0, '127.0.0.1');
  return { url: `http://127.0.0.1:${port}`, port, closed, http: hs, stop: async () => void (await hs.close(100)) };
}

/** A raw client connection: what it received, whether the server closed it. */
async function open(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<void>; isClosed: () => boolean }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let data = '';
  let done = false;
  socket.on('data', (d: Buffer) => (data += d.toString()));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => ((done = true), resolve())));
  return { socket, received: () => data, closed, isClosed: () => done };
}

const until = async (check: () => boolean, what: string, timeoutMs = 10_000) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const predictBody = JSON.stringify({ instances: [HOUSE_V1] });

describe('connections on the gateway server', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway(copyDemoModels(), { flags: { file: '/none.json' }, models: { 'property-valuation': { defaultVersion: '1.0.0' } } });
  });
  afterAll(async () => gateway?.close(0));

  it('answers a connection that sends nothing with 408 at the configured header timeout, not at node’s 30 s check', async () => {
    const s = await serve(gateway.app.fetch, { headersTimeoutMs: 1000, requestTimeoutMs: 1000 });
    try {
      const started = Date.now();
      const c = await open(s.port);
      await c.closed;
      expect(c.received()).toMatch(/^HTTP\/1\.1 408 /);
      // Generous: the configured 1 s plus one check interval, far below node's default 30 s check.
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await s.stop();
    }
  }, 20_000);

  it('closes an idle keep-alive connection after keepAliveTimeoutMs', async () => {
    const s = await serve(gateway.app.fetch, { keepAliveTimeoutMs: 1000 });
    try {
      const c = await open(s.port);
      c.socket.write('GET /v2/health/live HTTP/1.1\r\nhost: x\r\n\r\n');
      await c.closed;
      expect(c.received()).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      await s.stop();
    }
  }, 20_000);

  it('past maxConnections closes the oldest idle connection and serves the new client', async () => {
    const s = await serve(gateway.app.fetch, { maxConnections: 4 });
    try {
      const idle = [];
      for (let i = 0; i < 4; i++) idle.push(await open(s.port));
      const res = await fetch(s.url + PREDICT, { method: 'POST', headers: { 'content-type': 'application/json' }, body: predictBody });
      expect(res.status).toBe(200);
      await idle[0]?.closed;
      expect(idle.map((c) => c.isClosed())).toEqual([true, false, false, false]);
      expect(s.closed).toEqual(['idle_evicted']);
      for (const c of idle) c.socket.destroy();
    } finally {
      await s.stop();
    }
  });

  it('caps connections per client: its oldest idle one is closed, and with none idle the newcomer gets 503 + Retry-After', async () => {
    const s = await serve(gateway.app.fetch, { maxConnectionsPerClient: 2 });
    try {
      const [a, b] = [await open(s.port), await open(s.port)];
      const res = await fetch(s.url + '/v2/health/live', { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
      await a.closed;
      expect([a.isClosed(), b.isClosed()]).toEqual([true, false]);
      b.socket.destroy();
      await until(() => s.http.connections.open === 0, 'the connections to close');
      // Two connections with a request in flight (headers in, body pending): nothing idle to close.
      const busy: Awaited<ReturnType<typeof open>>[] = [];
      for (let i = 0; i < 2; i++) {
        const c = await open(s.port);
        c.socket.write(`POST ${PREDICT} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${predictBody.length}\r\n\r\n{`);
        busy.push(c);
        await new Promise((r) => setTimeout(r, 50));
      }
      const refused = await fetch(s.url + '/v2/health/live', { headers: { connection: 'close' } });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      // The busy ones finish and are answered.
      for (const c of busy) c.socket.write(predictBody.slice(1));
      await until(() => busy.every((c) => /^HTTP\/1\.1 200 /.test(c.received())), 'the busy requests');
      expect(s.closed).toEqual(['client_idle_evicted', 'client_refused']);
      for (const c of busy) c.socket.destroy();
    } finally {
      await s.stop();
    }
  });

  it('does not cap a trusted proxy like one client', async () => {
    const s = await serve(gateway.app.fetch, { maxConnectionsPerClient: 2 }, { trustedProxies: ['127.0.0.1'] });
    try {
      const conns = [await open(s.port), await open(s.port), await open(s.port)];
      expect((await fetch(s.url + '/v2/health/live')).status).toBe(200);
      expect(conns.map((c) => c.isClosed())).toEqual([false, false, false]);
      expect(s.closed).toEqual([]);
      for (const c of conns) c.socket.destroy();
    } finally {
      await s.stop();
    }
  });

  it('answers HTTP/1.0 without Host in the error shape with a request id', async () => {
    const s = await serve(gateway.app.fetch);
    try {
      for (const [path, oip] of [['/v1/models', false], ['/v2/health/live', true]] as const) {
        const c = await open(s.port);
        c.socket.write(`GET ${path} HTTP/1.0\r\n\r\n`);
        await c.closed;
        const [head = '', body = ''] = c.received().split('\r\n\r\n');
        expect(head).toMatch(/^HTTP\/1\.1 400 /);
        const id = /\r\nx-request-id: ([^\r]+)/i.exec(head)?.[1];
        expect(id).toBeTruthy();
        const parsed = JSON.parse(body) as Record<string, unknown>;
        expect(parsed).toEqual(oip ? { error: 'the request has no Host header' } : { error: 'the request has no Host header', code: 'bad_request', request_id: id });
      }
    } finally {
      await s.stop();
    }
  });
});

describe('slow readers', () => {
  const payload = Buffer.alloc(32 * 1024 * 1024, 0x61);
  const app = new Hono().get('/big', (c) => c.body(payload, 200, { 'content-type': 'application/octet-stream' }));

  it('closes a connection whose client reads nothing past the buffered-bytes limit, and counts it; a reader gets everything', async () => {
    const s = await serve(app.fetch, { maxBufferedBytesPerConnection: 65_536 });
    try {
      const reader = await fetch(s.url + '/big');
      expect((await reader.arrayBuffer()).byteLength).toBe(payload.length);
      const c = await open(s.port);
      c.socket.pause();
      c.socket.write('GET /big HTTP/1.1\r\nhost: x\r\n\r\n');
      await until(() => s.closed.includes('slow_reader'), 'the slow reader to be closed');
      expect(s.closed).toEqual(['slow_reader']);
      c.socket.destroy();
    } finally {
      await s.stop();
    }
  }, 20_000);
});
