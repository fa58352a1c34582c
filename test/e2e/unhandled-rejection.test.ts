import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HOUSE_V1 } from '../support/fixtures.js';
import { ADMIN_TOKEN, json } from '../support/gateway.js';
import { startServerProcess } from '../support/server-process.js';

/**
 * The last net under background work: a promise nobody awaited rejects inside a running gateway
 * (Node's default ends the process with every request in it). It is counted
 * (modelgate_background_errors_total{task="unhandled-rejection"}), logged, and the gateway serves on.
 */
describe('an unhandled rejection in a running gateway (server process)', () => {
  it('is counted and logged; the process keeps serving', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modelgate-unhandled-'));
    // Loaded before the gateway: on SIGUSR2, a rejected promise that nothing handles.
    const preload = join(dir, 'reject-on-signal.mjs');
    writeFileSync(preload, "process.on('SIGUSR2', () => { Promise.reject(new Error('nobody awaited this promise')); });\n");
    const server = await startServerProcess({
      MODELGATE_REGISTRY: 'off',
      MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(),
    });
    try {
      server.child.kill('SIGUSR2');
      let text = '';
      for (let i = 0; i < 50 && !/task="unhandled-rejection"\} 1/.test(text); i++) {
        await new Promise((r) => setTimeout(r, 100));
        text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
      }
      expect(text).toMatch(/modelgate_background_errors_total\{task="unhandled-rejection"\} 1/);
      expect(server.child.exitCode).toBeNull();
      const res = await fetch(`${server.url}/v1/models/property-valuation/predict`, json({ instances: [HOUSE_V1] }));
      expect(res.status).toBe(200);
      expect(server.logs()).toMatch(/background task 'unhandled-rejection' failed: nobody awaited this promise/);
    } finally {
      await server.stop();
    }
  });
});
