import { describe, expect, it } from 'vitest';
import { endOfTurn } from '../../src/http/write-coalescing.js';

describe('endOfTurn: the answers of one event-loop turn go out together', () => {
  it('gives every caller of a turn the same promise, released in the check phase', async () => {
    const order: string[] = [];
    const first = endOfTurn();
    expect(endOfTurn()).toBe(first);
    process.nextTick(() => order.push('tick'));
    void Promise.resolve().then(() => order.push('microtask'));
    const waiters = [1, 2, 3].map((i) => first.then(() => order.push(`answer ${i}`)));
    await Promise.all(waiters);
    // Everything already queued ran first; the held answers then resumed one after another.
    expect(order.slice(0, 2).sort()).toEqual(['microtask', 'tick']);
    expect(order.slice(2)).toEqual(['answer 1', 'answer 2', 'answer 3']);
  });

  it('starts a new turn once the last one is released', async () => {
    const first = endOfTurn();
    await first;
    const second = endOfTurn();
    expect(second).not.toBe(first);
    await second;
  });
});
