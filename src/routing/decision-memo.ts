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
  /** The variant remembered for this context, if any; `undefined` also when the context must not be memoised. */
  get(key: string): FlagVariant | undefined;
  set(key: string, variant: FlagVariant): void;
  /** Context fields that must be present for the answer not to fall to chance (custom stickiness). */
  readonly needs: readonly string[];
}

/** Distinct contexts remembered per flag definition before the memo starts over (bounded memory). */
const MAX_CONTEXTS = 65_536;

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
    const needs = contextNeeds(definition as Definition);
    memo = needs ? boundedMemo(needs) : null;
    memos.set(definition, memo);
  }
  return memo ?? undefined;
}

/**
 * The memo key of a context: every field a strategy or constraint can read, each length-prefixed
 * (no separator a value could forge). Undefined when the context cannot be memoised.
 */
export function contextKey(ctx: FlagContext, needs: readonly string[]): string | undefined {
  // `default` stickiness uses userId, then sessionId, then chance.
  if (!ctx.userId && !ctx.sessionId) return undefined;
  for (const field of needs) {
    const v = (ctx as unknown as Record<string, unknown>)[field] ?? ctx.properties[field];
    if (v === undefined || v === null || v === '') return undefined;
  }
  let key = part(ctx.userId) + part(ctx.sessionId) + part(ctx.remoteAddress);
  for (const k in ctx.properties) key += part(k) + part(ctx.properties[k]);
  return key;
}

function part(v: string | undefined): string {
  return v === undefined ? '-' : `${v.length}:${v}`;
}

function boundedMemo(needs: readonly string[]): DecisionMemo {
  const answers = new Map<string, FlagVariant>();
  return {
    needs,
    get: (key) => answers.get(key),
    set(key, variant) {
      if (answers.size >= MAX_CONTEXTS) answers.clear();
      answers.set(key, variant);
    },
  };
}

/** The stickiness fields a definition needs from the context, or null when it must not be memoised. */
function contextNeeds(def: Definition): string[] | null {
  if (def.impressionData || (def.dependencies && def.dependencies.length > 0)) return null;
  const needs = new Set<string>();
  const seed = (stickiness: unknown): boolean => {
    if (stickiness === undefined || stickiness === '' || stickiness === 'default') return true;
    if (stickiness === 'random' || typeof stickiness !== 'string') return false;
    needs.add(stickiness);
    return true;
  };
  for (const s of def.strategies ?? []) {
    if (!DETERMINISTIC_STRATEGIES.has(s.name)) return null;
    if (s.segments && s.segments.length > 0) return null;
    for (const c of s.constraints ?? []) {
      if (c.contextName === 'currentTime' || c.operator.startsWith('DATE_')) return null;
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
