import { randomFillSync } from 'node:crypto';

const pool = new Uint8Array(10 * 256);
let offset = pool.length;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Request ids minted this way
 * sort by time, so the prediction trace's index grows at its right edge instead of at random.
 */
export function uuidV7(now = Date.now()): string {
  if (offset + 10 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const r = pool.subarray(offset, (offset += 10));
  const ms = now.toString(16).padStart(12, '0');
  const h = (i: number) => HEX[r[i] as number] as string;
  return (
    `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${h(0).slice(1)}${h(1)}-` +
    `${HEX[((r[2] as number) & 0x3f) | 0x80]}${h(3)}-${h(4)}${h(5)}${h(6)}${h(7)}${h(8)}${h(9)}`
  );
}
