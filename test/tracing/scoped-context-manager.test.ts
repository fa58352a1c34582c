import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ScopedContextManager } from '../../src/tracing/scoped-context-manager.js';

const KEY = createContextKey('test');
const tick = () => new Promise((r) => setTimeout(r, 1));

describe('ScopedContextManager: the active context crosses awaits inside a scope only', () => {
  it('carries a scope\'s context across awaits, and lets concurrent scopes keep their own', async () => {
    const m = new ScopedContextManager();
    const seen = await Promise.all(
      ['a', 'b'].map((v) =>
        m.scope(ROOT_CONTEXT.setValue(KEY, v), async () => {
          await tick();
          const first = m.active().getValue(KEY);
          await tick();
          return [first, m.active().getValue(KEY)];
        }),
      ),
    );
    expect(seen).toEqual([['a', 'a'], ['b', 'b']]);
    // Every scope closed: nothing is active any more.
    expect(m.active()).toBe(ROOT_CONTEXT);
  });

  it('with() outside a scope sets the context for the synchronous call only', async () => {
    const m = new ScopedContextManager();
    const ctx = ROOT_CONTEXT.setValue(KEY, 'sync');
    const later = m.with(ctx, async () => {
      const now = m.active().getValue(KEY);
      await tick();
      return [now, m.active().getValue(KEY)];
    });
    expect(await later).toEqual(['sync', undefined]);
    expect(m.with(ctx, () => m.active().getValue(KEY))).toBe('sync');
  });

  it('closes a scope whose function throws', () => {
    const m = new ScopedContextManager();
    expect(() => m.scope(ROOT_CONTEXT.setValue(KEY, 'x'), () => { throw new Error('boom'); })).toThrow('boom');
    expect(m.active()).toBe(ROOT_CONTEXT);
  });
});
