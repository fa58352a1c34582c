import type { Unleash } from 'unleash-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { contextKey, memoFor, memoisable, propertiesKey } from '../../src/routing/decision-memo.js';
import type { FlagContext } from '../../src/routing/flag-source.js';
import { evaluate, offlineUnleash } from '../../src/routing/unleash-client.js';
import { CANARY_90_10, flag } from '../support/flags.js';

const clients: Unleash[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.destroy();
});

async function clientWith(features: unknown[]): Promise<Unleash> {
  const client = await offlineUnleash({ version: 2, features: features as never });
  clients.push(client);
  return client;
}

function rollout(stickiness: string, variantStickiness = stickiness, extra: Record<string, unknown> = {}) {
  return {
    name: 'f', enabled: true,
    strategies: [{
      name: 'flexibleRollout',
      parameters: { rollout: '50', stickiness, groupId: 'f' },
      constraints: [],
      variants: [
        { name: 'a', weight: 500, weightType: 'variable', stickiness: variantStickiness },
        { name: 'b', weight: 500, weightType: 'variable', stickiness: variantStickiness },
      ],
      ...extra,
    }],
    variants: [],
  };
}

const ctx = (i: number, properties: Record<string, string> = {}): FlagContext => ({
  userId: i % 3 === 0 ? undefined : `user-${i}`,
  sessionId: `session-${i % 7}`,
  remoteAddress: `10.0.0.${i % 5}`,
  properties,
});

/** unleash-client's own answer, without the memo. */
function direct(client: Unleash, name: string, c: FlagContext) {
  const v = client.getVariant(name, { userId: c.userId, sessionId: c.sessionId, remoteAddress: c.remoteAddress, properties: c.properties });
  return { name: v.name, enabled: v.enabled, featureEnabled: v.feature_enabled ?? false };
}

describe('flag decision memo', () => {
  it('gives exactly unleash-client\'s answer for every context, first time and remembered', async () => {
    const features = [
      flag('canary', { variants: CANARY_90_10, tenantPins: { acme: '1.1.0' } }),
      { ...rollout('default'), name: 'split' },
      { ...rollout('tenantId', 'tenantId'), name: 'by-tenant' },
      { name: 'pinned-users', enabled: true, strategies: [{ name: 'userWithId', parameters: { userIds: 'user-1,user-2' } }], variants: [] },
    ];
    const client = await clientWith(features);
    for (const f of features) expect(memoFor(client.getFeatureToggleDefinition(f.name)), f.name).toBeDefined();
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 400; i++) {
        const c = ctx(i, i % 4 === 0 ? { tenantId: i % 8 === 0 ? 'acme' : 'globex' } : {});
        for (const f of features) {
          const got = evaluate(client, f.name, c);
          expect({ name: got.name, enabled: got.enabled, featureEnabled: got.featureEnabled }, `${f.name} #${i}`).toEqual(direct(client, f.name, c));
        }
      }
    }
  });

  it('still counts every answer in unleash-client\'s metrics', async () => {
    const client = await clientWith([flag('canary', { variants: CANARY_90_10 })]);
    const count = vi.spyOn(client, 'count');
    const countVariant = vi.spyOn(client, 'countVariant');
    for (let i = 0; i < 5; i++) evaluate(client, 'canary', ctx(1));
    expect(count).toHaveBeenCalledTimes(5);
    expect(countVariant).toHaveBeenCalledTimes(5);
  });

  it('leaves chance to chance: random stickiness, or a stickiness field the context lacks, is evaluated every time', async () => {
    const client = await clientWith([
      { ...rollout('random'), name: 'random' },
      { ...rollout('default', 'tenantId'), name: 'seeded-by-tenant' },
    ]);
    expect(memoFor(client.getFeatureToggleDefinition('random'))).toBeUndefined();
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) seen.add(evaluate(client, 'random', ctx(1)).name);
    expect(seen).toEqual(new Set(['a', 'b', 'disabled']));

    const memo = memoFor(client.getFeatureToggleDefinition('seeded-by-tenant'));
    expect(memo?.needs).toEqual(['tenantId']);
    expect(memoisable(ctx(1), memo?.needs ?? [])).toBe(false);
    expect(memoisable(ctx(1, { tenantId: 'acme' }), memo?.needs ?? [])).toBe(true);
    expect(memoisable({ properties: {} }, [])).toBe(false);
    expect(memoisable({ sessionId: '', properties: {} }, [])).toBe(false);
  });

  it('treats an empty stickiness as unleash-client does: a random seed, never remembered', async () => {
    const client = await clientWith([
      { ...rollout('default', ''), name: 'strategy-empty' },
      { name: 'feature-empty', enabled: true, strategies: [], variants: [{ name: 'a', weight: 500, stickiness: '' }, { name: 'b', weight: 500, stickiness: '' }] },
    ]);
    for (const name of ['feature-empty']) {
      expect(memoFor(client.getFeatureToggleDefinition(name)), name).toBeUndefined();
      const seen = new Set<string>();
      for (let i = 0; i < 200; i++) seen.add(evaluate(client, name, ctx(1)).name);
      expect(seen).toEqual(new Set(['a', 'b']));
    }
    // A strategy's empty variant stickiness falls back to its rollout's ('default'): deterministic.
    expect(memoFor(client.getFeatureToggleDefinition('strategy-empty'))).toBeDefined();
  });

  it('evaluates a malformed definition every time, never throwing (a server\'s data is not validated)', () => {
    expect(memoFor({ name: 'x', enabled: true, strategies: [{ name: 'default', constraints: [{ contextName: 'userId' }] }] })).toBeUndefined();
    expect(memoFor({ name: 'x', enabled: true, strategies: 'nope' })).toBeUndefined();
  });

  it('does not memoise what reads time, segments, parents or custom strategies', async () => {
    const client = await clientWith([
      { ...rollout('default', 'default', { constraints: [{ contextName: 'currentTime', operator: 'DATE_AFTER', value: '2026-01-01T00:00:00Z' }] }), name: 'dated' },
      { ...rollout('default', 'default', { segments: [1] }), name: 'segmented' },
      { ...rollout('default'), name: 'child', dependencies: [{ feature: 'dated' }] },
      { name: 'custom', enabled: true, strategies: [{ name: 'my-strategy', parameters: {} }], variants: [] },
      { ...rollout('default'), name: 'impressions', impressionData: true },
    ]);
    for (const name of ['dated', 'segmented', 'child', 'custom', 'impressions']) {
      expect(memoFor(client.getFeatureToggleDefinition(name)), name).toBeUndefined();
    }
  });

  it('never answers a changed flag from the old definition\'s memo', async () => {
    const before = await clientWith([flag('canary', { variants: [{ name: 'stable', weight: 1000, version: '1.0.0' }] })]);
    expect(evaluate(before, 'canary', ctx(1)).name).toBe('stable');
    const after = await clientWith([flag('canary', { variants: [{ name: 'canary', weight: 1000, version: '1.1.0' }] })]);
    expect(evaluate(after, 'canary', ctx(1)).name).toBe('canary');
    expect(evaluate(before, 'canary', ctx(1)).name).toBe('stable');
  });

  it('keys properties injectively: values cannot forge another context\'s key', () => {
    const cases: Record<string, string>[] = [{ x: '1' }, { x1: '' }, { x: '1', y: '' }, { 'x1:': '' }, {}];
    const keys = cases.map((p) => propertiesKey(p));
    expect(new Set(keys).size).toBe(keys.length);
    const contexts: FlagContext[] = [
      { userId: 'a1:b', sessionId: 's', properties: {} },
      { userId: 'a', sessionId: '1:bs', properties: {} },
      { sessionId: 's', remoteAddress: 's', properties: {} },
      { sessionId: 's', properties: { remoteAddress: 's' } },
    ];
    const ckeys = contexts.map(contextKey);
    expect(new Set(ckeys).size).toBe(ckeys.length);
  });

  it('keeps one answer per address for anonymous requests and per full context otherwise', async () => {
    const client = await clientWith([flag('canary', { variants: CANARY_90_10 })]);
    const memo = memoFor(client.getFeatureToggleDefinition('canary'));
    const variant = { name: 'x', enabled: true, featureEnabled: true };
    memo?.set({ sessionId: '10.0.0.1', remoteAddress: '10.0.0.1', properties: {} }, variant);
    expect(memo?.get({ sessionId: '10.0.0.1', remoteAddress: '10.0.0.1', properties: {} })).toBe(variant);
    expect(memo?.get({ sessionId: '10.0.0.1', remoteAddress: '10.0.0.1', properties: { tier: 'gold' } })).toBeUndefined();
    expect(memo?.get({ userId: 'u', sessionId: '10.0.0.1', remoteAddress: '10.0.0.1', properties: {} })).toBeUndefined();
    expect(memo?.get({ sessionId: 'acme', remoteAddress: '10.0.0.1', properties: {} })).toBeUndefined();
  });
});
