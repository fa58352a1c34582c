import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digester, sha256Digester } from '../../src/contracts/digest.js';

const hex = (base64: string) => Buffer.from(base64, 'base64').toString('hex');

describe('tensor digests', () => {
  it("are BLAKE3 on this platform: the reference implementation's test vectors", () => {
    expect(digester.algorithm).toBe('blake3');
    // From BLAKE3's reference (b3sum): "abc" and the empty input.
    expect(hex(digester.once(Buffer.from('abc')).base64)).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
    expect(hex(digester.once(Buffer.alloc(0)).base64)).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
  });

  it('give the same digest in one call and in parts, and again after reuse', () => {
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) % 256));
    const whole = digester.once(data);
    const parts = digester.begin().update(data.subarray(0, 5)).update(data.subarray(5, 200_000)).update(data.subarray(200_000)).end();
    expect(parts).toEqual(whole);
    expect(digester.once(data)).toEqual(whole);
  });

  it('fall back to SHA-256, saying so', () => {
    const data = Buffer.from('modelgate');
    const want = createHash('sha256').update(data).digest('base64');
    expect(sha256Digester.once(data)).toEqual({ algorithm: 'sha256', base64: want });
    expect(sha256Digester.begin().update(data.subarray(0, 4)).update(data.subarray(4)).end()).toEqual({ algorithm: 'sha256', base64: want });
  });
});
