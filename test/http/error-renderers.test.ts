import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../src/errors/index.js';
import { errorRenderers } from '../../src/http/middleware/error-handler.js';
import { ExpectedOutcomeLog } from '../../src/logging/expected-outcomes.js';

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

describe('the stream error line (an NDJSON answer that fails after its head was sent)', () => {
  it('words a GatewayError as the route error renderer does: message, stable code, status', () => {
    const { logger } = capturingLogger();
    const { streamLine } = errorRenderers(logger, new ExpectedOutcomeLog(logger));
    expect(streamLine(new GatewayError('store_unavailable', 503, 'the registry store is unavailable'), 'r1')).toEqual({
      error: 'the registry store is unavailable', code: 'store_unavailable', status: 503,
    });
  });

  it('hides an unknown error behind internal 500 and logs it with the request id', async () => {
    const { logger, lines } = capturingLogger();
    const { streamLine } = errorRenderers(logger, new ExpectedOutcomeLog(logger));
    expect(streamLine(new Error('/secret/path exploded'), 'r2')).toEqual({ error: 'internal error', code: 'internal', status: 500 });
    await new Promise((r) => setImmediate(r));
    expect(lines.some((l) => l.msg === 'unhandled error' && l.requestId === 'r2')).toBe(true);
  });
});
