import { describe, expect, it } from 'vitest';
import { requestKey } from '../../src/audit/trace-segment.js';
import { uuidV7 } from '../../src/core/uuid-v7.js';

/** The key as the first trace format defined it (index files on disk hold these keys). */
function reference(id: string): number {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/i.test(id)) return parseInt(id.slice(0, 8) + id.slice(9, 13) + id.slice(15, 16), 16);
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x100000 + ((b >>> 12) & 0xfffff);
}

describe('trace index keys', () => {
  it('are the keys the index files already hold, for minted, client and malformed ids', () => {
    const ids = [
      ...Array.from({ length: 2000 }, () => uuidV7()),
      '01A2340C-D611-7021-AE98-3288F26F2175', '01a2340c-d611-6021-ae98-3288f26f2175', '01a2340c-d611-7g21-ae98-3288f26f2175',
      '01a2340c-d611-7021', '01a2340c-d611-7021-', '01a2340cxd611-7021-ae98', 'order-42', '', 'é-unicode', 'ffffffff-ffff-7fff-ffff-ffffffffffff',
    ];
    for (const id of ids) expect(requestKey(id), id).toBe(reference(id));
  });
});
