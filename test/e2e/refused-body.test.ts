import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/fixtures.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

const PREDICT = '/v1/models/property-valuation/predict';

/**
 * A body over the limit, still being sent when the 413 is answered (server process, as deployed):
 * the client reads the 413, not a reset. Closing a socket with unread bytes sends a reset, which
 * discards what the client had not read yet: `fetch` of 30 MB failed with EPIPE/`fetch failed`.
 */
describe('a refused body still gets its 413 (server process)', () => {
  let server: ServerProcess;
  const big = Buffer.alloc(30 * 1024 * 1024, 0x20);
  beforeAll(async () => {
    server = await startServerProcess();
  }, 60_000);
  afterAll(async () => server?.stop());

  it('node fetch (undici) reads the 413 for a 30 MB body, twice in a row', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await fetch(server.url + PREDICT, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { code: string }).code).toBe('payload_too_large');
    }
  });

  it.each([
    ['content-length', [] as string[]],
    ['chunked', ['-H', 'transfer-encoding: chunked']],
  ])('curl reads the 413 for a 30 MB body (%s)', async (_kind, extra) => {
    const file = join(tempDir(), 'big.json');
    writeFileSync(file, big);
    const { stdout } = await promisify(execFile)('curl', ['-sS', '-o', '-', '-w', '\n%{http_code}', '-H', 'content-type: application/json', ...extra, '--data-binary', `@${file}`, server.url + PREDICT]);
    const [body = '', status] = stdout.split('\n');
    expect(status).toBe('413');
    expect((JSON.parse(body) as { code: string }).code).toBe('payload_too_large');
  });
});
