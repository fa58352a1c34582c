import { AsyncLocalStorage } from 'node:async_hooks';
import { ROOT_CONTEXT, type Context, type ContextManager } from '@opentelemetry/api';

/**
 * OpenTelemetry's active context, carried across awaits only inside `scope()`: the few places a
 * traced request hands its span to instrumented clients (a Redis lookup, an admin route's
 * PostgreSQL queries). Elsewhere `with()` is synchronous (a variable set for the call).
 *
 * Why not the SDK's AsyncLocalStorageContextManager: on Node 20 an AsyncLocalStorage, once
 * used, keeps a promise hook on every promise of the process, traced or not (measured on the
 * uncached OIP bench, 10 % sampled: ~50 µs CPU a request more, the BatchSpanProcessor's first
 * export enabling it). Here the storage is enabled while a scope is open and disabled when the
 * last one closes, so untraced requests run without the hook.
 */
export class ScopedContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  private open = 0;
  private current: Context = ROOT_CONTEXT;
  private readonly close = (): void => {
    if (--this.open === 0) this.storage.disable();
  };

  active(): Context {
    return (this.open > 0 ? this.storage.getStore() : undefined) ?? this.current;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    if (this.open > 0) return this.storage.run(ctx, () => fn.apply(thisArg, args));
    const previous = this.current;
    this.current = ctx;
    try {
      return fn.apply(thisArg, args);
    } finally {
      this.current = previous;
    }
  }

  /** Run `fn` (and everything it awaits) with `ctx` active; the scope closes when its promise settles. */
  scope<T>(ctx: Context, fn: () => T): T {
    this.open++;
    let result: T;
    try {
      result = this.storage.run(ctx, fn);
    } catch (err) {
      this.close();
      throw err;
    }
    if (result instanceof Promise) result.then(this.close, this.close);
    else this.close();
    return result;
  }

  bind<T>(ctx: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const fn = target as unknown as (...args: unknown[]) => unknown;
    const manager = this;
    return function bound(this: unknown, ...args: unknown[]) {
      return manager.with(ctx, () => fn.apply(this, args));
    } as unknown as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    this.storage.disable();
    this.open = 0;
    this.current = ROOT_CONTEXT;
    return this;
  }
}
