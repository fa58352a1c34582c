import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedProxies } from '../../src/config/schema.js';
import type { Gateway } from '../../src/gateway.js';
import { clientAddressResolver } from '../../src/core/client-address.js';
import { HOUSE_V1, copyDemoModels } from '../support/fixtures.js';
import { CANARY_90_10, flag, writeFlags } from '../support/flags.js';
import { startGateway } from '../support/gateway.js';

describe('client address through trusted proxies', () => {
  const cases: [string, TrustedProxies, string | undefined, Record<string, string>, string | undefined][] = [
    ['0 hops ignores a spoofed X-Forwarded-For', 0, '10.0.0.9', { 'x-forwarded-for': '1.2.3.4' }, '10.0.0.9'],
    ['1 hop: the entry the proxy added', 1, '10.0.0.9', { 'x-forwarded-for': '6.6.6.6, 1.2.3.4' }, '1.2.3.4'],
    ['2 hops', 2, '10.0.0.9', { 'x-forwarded-for': '1.2.3.4, 10.0.0.8' }, '1.2.3.4'],
    ['more hops than entries: the leftmost', 3, '10.0.0.9', { 'x-forwarded-for': '1.2.3.4' }, '1.2.3.4'],
    ['1 hop, no header: the peer', 1, '10.0.0.9', {}, '10.0.0.9'],
    ['Forwarded wins, IPv6 with port', 1, '10.0.0.9', { forwarded: 'for=1.1.1.1, for="[2001:db8::17]:4711";proto=https', 'x-forwarded-for': '9.9.9.9' }, '2001:db8::17'],
    ['IPv4-mapped peer', 1, '::ffff:10.0.0.9', { 'x-forwarded-for': '1.2.3.4:5555' }, '1.2.3.4'],
    ['CIDR list: skip trusted proxies right to left', ['10.0.0.0/8'], '10.0.0.9', { 'x-forwarded-for': '6.6.6.6, 1.2.3.4, 10.1.1.1' }, '1.2.3.4'],
    ['CIDR list: an untrusted peer is the client', ['10.0.0.0/8'], '192.168.1.1', { 'x-forwarded-for': '1.2.3.4' }, '192.168.1.1'],
    ['CIDR list: IPv4-mapped peer matches', ['127.0.0.1'], '::ffff:127.0.0.1', { 'x-forwarded-for': '1.2.3.4' }, '1.2.3.4'],
  ];
  it.each(cases)('%s', (_name, trusted, peer, headers, want) => {
    expect(clientAddressResolver(trusted)(peer, headers)).toBe(want);
  });
});

describe('90/10 canary sticks by forwarded client address (real HTTP server)', () => {
  const MODEL = 'property-valuation';
  let modelsDir: string;
  const servers: { gw: Gateway; server: Server; url: string }[] = [];

  async function listen(trustedProxies: TrustedProxies): Promise<string> {
    const flagsFile = join(modelsDir, 'flags.json');
    writeFlags(flagsFile, [flag(MODEL, { variants: CANARY_90_10 })]);
    const gw = await startGateway(modelsDir, {
      flags: { file: flagsFile },
      http: { trustedProxies },
      models: { [MODEL]: { defaultVersion: '1.0.0', versions: ['1.0.0', '1.1.0'] } },
    });
    const server = serve({ fetch: gw.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((r) => server.once('listening', () => r()));
    const addr = server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/v1/models/${MODEL}/predict`;
    servers.push({ gw, server, url });
    return url;
  }

  /** Versions answered for `clients` distinct X-Forwarded-For clients, 32 requests at a time. */
  async function split(url: string, clients: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    const body = JSON.stringify({ instances: [HOUSE_V1] });
    for (let i = 0; i < clients; i += 32) {
      await Promise.all(Array.from({ length: Math.min(32, clients - i) }, async (_, j) => {
        const n = i + j;
        const res = await fetch(url, {
          method: 'POST', body,
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `198.51.${(n >> 8) & 255}.${n & 255}, 203.0.${n >> 8}.${n & 255}` },
        });
        await res.arrayBuffer();
        const v = `${res.status} ${res.headers.get('x-model-version')}`;
        counts[v] = (counts[v] ?? 0) + 1;
      }));
    }
    return counts;
  }

  beforeAll(() => {
    modelsDir = copyDemoModels();
  });
  afterAll(async () => {
    for (const { gw, server } of servers) {
      server.close();
      await gw.close();
    }
    rmSync(modelsDir, { recursive: true, force: true });
  });

  it('behind one trusted hop, 10,000 distinct forwarded clients split about 90/10', async () => {
    const counts = await split(await listen(1), 10_000);
    const stable = counts['200 1.0.0'] ?? 0;
    const canary = counts['200 1.1.0'] ?? 0;
    expect(stable + canary).toBe(10_000);
    expect(canary / 10_000).toBeGreaterThan(0.08);
    expect(canary / 10_000).toBeLessThan(0.12);
  });

  it('with no trusted proxy, the spoofed header is ignored: every request sticks to the one socket address', async () => {
    const counts = await split(await listen(0), 500);
    expect(Object.values(counts)).toEqual([500]);
  });
});
