import type { FlagContext, FlagVariant } from './flag-source.js';

/**
 * Remembers unleash-client's answer for a flag and a context, for flags whose answer is a pure
 * function of the context. unleash-client re-evaluates every strategy, constraint and hash on every
 * call (~6-10 µs a request); for the same definition and the same context fields it can only give
 * the same answer, unless the definition reads something outside the context. A definition is
 * memoised only when none of these apply (each falls to evaluation every time):
 * - chance: a `random` stickiness, the gradualRolloutRandom strategy, or a stickiness field the
 *   context does not have (unleash-client then draws a random seed);
 * - time: a DATE_AFTER / DATE_BEFORE constraint or one on `currentTime`;
 * - state outside the definition: segments, parent dependencies, custom strategies;
 * - side effects: impressionData (an event per evaluation).
 *
 * Memos are keyed by the definition object itself: unleash-client replaces a feature's object on
 * every change (full fetch, delta event, file reload), so a changed flag never meets an old memo.
 */
export interface DecisionMemo {
  /** The variant remembered for this context; undefined when none is, or the context must not be memoised. */
  get(ctx: FlagContext): FlagVariant | undefined;
  /** Remember a variant for this context (ignored when the context must not be memoised). */
  set(ctx: FlagContext, variant: FlagVariant): void;
  /** Context fields that must be present for the answer not to fall to chance (custom stickiness). */
  readonly needs: readonly string[];
}

/** Contexts remembered per flag definition and map before that map starts over: ~340 bytes each, so at most ~11 MB a definition. */
const MAX_CONTEXTS = 16_384;

const DETERMINISTIC_STRATEGIES = new Set([
  'default', 'flexibleRollout', 'userWithId', 'gradualRolloutUserId', 'gradualRolloutSessionId', 'remoteAddress', 'applicationHostname',
]);

interface Definition {
  impressionData?: boolean;
  dependencies?: unknown[];
  strategies?: {
    name: string;
    parameters?: Record<string, unknown>;
    constraints?: { contextName: string; operator: string }[];
    segments?: unknown[];
    variants?: { stickiness?: string }[];
  }[];
  variants?: { stickiness?: string }[] | null;
}

const memos = new WeakMap<object, DecisionMemo | null>();

/** The memo for this definition, or undefined when its answer may not be a function of the context. */
export function memoFor(definition: object | undefined): DecisionMemo | undefined {
  if (!definition) return undefined;
  let memo = memos.get(definition);
  if (memo === undefined) {
    let needs: string[] | null;
    try {
      needs = contextNeeds(definition as Definition);
    } catch {
      // A definition unleash-client tolerates but that is malformed (a server sends it unvalidated): evaluate it every time.
      needs = null;
    }
    memo = needs ? boundedMemo(needs) : null;
    memos.set(definition, memo);
  }
  return memo ?? undefined;
}

/**
 * Whether unleash-client's answer for this context is a function of the context: `default`
 * stickiness has userId or sessionId to hash, and every custom stickiness field is present.
 */
export function memoisable(ctx: FlagContext, needs: readonly string[]): boolean {
  if (!ctx.userId && !ctx.sessionId) return false;
  for (const field of needs) {
    const v = (ctx as unknown as Record<string, unknown>)[field] ?? ctx.properties[field];
    if (v === undefined || v === null || v === '') return false;
  }
  return true;
}

/** The context's properties as one key, names and values length-prefixed (no separator a value could forge). */
export function propertiesKey(properties: Record<string, string>): string {
  let key = '';
  for (const k in properties) {
    const v = properties[k] as string;
    key += `${k.length}:${k}${v.length}:${v}`;
  }
  return key;
}

/**
 * The memo key of a context: every field a strategy or constraint can read, length-prefixed (no
 * separator a value could forge).
 */
export function contextKey(ctx: FlagContext): string {
  const part = (v: string | undefined) => (v === undefined ? '-' : `${v.length}:${v}`);
  return part(ctx.userId) + part(ctx.sessionId) + part(ctx.remoteAddress) + propertiesKey(ctx.properties);
}

/** An anonymous request: no user, no properties, sticky by its address (flagContext's fallback). */
function byAddressOnly(ctx: FlagContext): boolean {
  if (ctx.userId !== undefined || ctx.remoteAddress === undefined || ctx.sessionId !== ctx.remoteAddress) return false;
  for (const _ in ctx.properties) return false;
  return true;
}

/**
 * Answers in two maps: an anonymous request's by its address string alone (the socket's own
 * string: no key is built, its hash is kept), any other context's by its full key. One entry a
 * context, bounded by MAX_CONTEXTS.
 */
function boundedMemo(needs: readonly string[]): DecisionMemo {
  const byAddress = new Map<string, FlagVariant>();
  const byContext = new Map<string, FlagVariant>();
  return {
    needs,
    get(ctx) {
      if (!memoisable(ctx, needs)) return undefined;
      return byAddressOnly(ctx) ? byAddress.get(ctx.remoteAddress as string) : byContext.get(contextKey(ctx));
    },
    set(ctx, variant) {
      if (!memoisable(ctx, needs)) return;
      const [map, key] = byAddressOnly(ctx) ? [byAddress, ctx.remoteAddress as string] : [byContext, contextKey(ctx)];
      if (map.size >= MAX_CONTEXTS) map.clear();
      map.set(key, variant);
    },
  };
}

/** The stickiness fields a definition needs from the context, or null when it must not be memoised. */
function contextNeeds(def: Definition): string[] | null {
  if (def.impressionData || (def.dependencies && def.dependencies.length > 0)) return null;
  const needs = new Set<string>();
  const seed = (stickiness: unknown): boolean => {
    // unleash-client draws a random seed for '' (a field of no name is never in the context).
    if (stickiness === undefined || stickiness === 'default') return true;
    if (stickiness === '') return false;
    if (stickiness === 'random' || typeof stickiness !== 'string') return false;
    needs.add(stickiness);
    return true;
  };
  if (def.strategies !== undefined && !Array.isArray(def.strategies)) return null;
  for (const s of def.strategies ?? []) {
    if (!DETERMINISTIC_STRATEGIES.has(s.name)) return null;
    if (s.segments && s.segments.length > 0) return null;
    for (const c of s.constraints ?? []) {
      if (c.contextName === 'currentTime' || typeof c.operator !== 'string' || c.operator.startsWith('DATE_')) return null;
    }
    // A missing custom rollout stickiness field means "not in the rollout", which is deterministic.
    if (s.parameters?.stickiness === 'random') return null;
    const variants = s.variants ?? [];
    if (variants.length > 0 && !seed(variants[0]?.stickiness || s.parameters?.stickiness)) return null;
  }
  const variants = def.variants ?? [];
  if (variants.length > 0 && !seed(variants[0]?.stickiness)) return null;
  return [...needs];
}
