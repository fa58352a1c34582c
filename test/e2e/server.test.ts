import { rawConnection } from '../support/raw-connection.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUSE_V1 } from '../support/fixtures.js';
import { directRun } from '../support/ort-reference.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/** The real server process (what `npm start` runs), over real HTTP, on the committed config and models. */
describe('end to end: node dist/src/cli/main.js serve', () => {
  let server: ServerProcess;
  beforeAll(async () => {
    server = await startServerProcess();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is live and ready, and speaks OIP V2', async () => {
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/v2/health/ready`)).json()).toEqual({ ready: true });
    const meta = (await (await fetch(`${server.url}/v2/models/property-valuation`)).json()) as { name: string; versions: string[]; inputs: unknown[] };
    expect(meta.name).toBe('property-valuation');
    expect(meta.versions).toEqual(expect.arrayContaining(['1.0.0', '1.1.0', '2.0.0']));
  });

  it('predicts over HTTP with the version stamped, equal to a direct onnxruntime run', async () => {
    const res = await fetch(`${server.url}/v2/models/property-valuation/versions/1.1.0/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'e2e-1' },
      body: JSON.stringify({ id: 'e2e', inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: Object.values(HOUSE_V1) }] }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-model-version')).toBe('1.1.0');
    expect(res.headers.get('x-request-id')).toBe('e2e-1');
    const body = (await res.json()) as { model_version: string; outputs: { name: string; data: number[] }[] };
    expect(body.model_version).toBe('1.1.0');
    expect(body.outputs[0]?.data).toEqual(await directRun('property-valuation', '1.1.0', [Object.values(HOUSE_V1)]));
  });

  it('routes by the committed flags file, sticky per user', async () => {
    const seen = new Map<string, string>();
    for (let i = 0; i < 40; i++) {
      const user = `user-${i % 10}`;
      const res = await fetch(`${server.url}/v1/models/property-valuation/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': user },
        body: JSON.stringify({ instances: [HOUSE_V1] }),
      });
      expect(res.status).toBe(200);
      const v = `${res.headers.get('x-model-version')} ${res.headers.get('x-model-route')}`;
      expect(seen.get(user) ?? v).toBe(v);
      seen.set(user, v);
    }
  });

  it('drains an in-flight request on SIGTERM, even one still sending its body, and exits 0', async () => {
    // A raw connection that sends the headers and half the body, then the rest after SIGTERM.
    const body = JSON.stringify({ instances: Array.from({ length: 64 }, () => HOUSE_V1) });
    const { socket, response, closed } = await rawConnection(server.url);
    const half = Math.floor(body.length / 2);
    socket.write(
      `POST /v1/models/property-valuation/predict HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body.slice(0, half)}`,
    );
    await new Promise((r) => setTimeout(r, 100));
    const code = server.stop('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    socket.end(body.slice(half));
    await closed;
    expect(response()).toMatch(/^HTTP\/1\.1 200 /);
    expect(response()).toMatch(/x-model-version: 1\.0\.0/i);
    expect(await code).toBe(0);
    expect(server.logs()).toMatch(/shutdown complete/);
  });
});
