import type { ShadowSettings } from '../config/schema.js';
import type { FlagSource } from './flag-source.js';
import type { FeatureFlag } from './flags-schema.js';
import type { RollbackOverride } from '../contracts/rollback.js';
import { sameInputSchema, type VersionRouter } from './version-router.js';

export interface RoutingViewInput {
  model: string;
  flagName: string;
  router: VersionRouter;
  flags: FlagSource | undefined;
  override: RollbackOverride | undefined;
  shadow: ShadowSettings | undefined;
}

type Share = { version: string; percent: number; via: string };
type Conditional = { constraints: unknown; variants: { name: string; weight: number; target: string }[] };

/**
 * What ops need to see for one model: the flag's state, the stable version, any rollback, and
 * the split that unconstrained traffic gets (constrained strategies are listed beside it).
 */
export function routingView(i: RoutingViewInput) {
  const stable = i.router.stable(i.model).version;
  const def = i.flags?.definition(i.flagName);
  const conditional: Conditional[] = [];
  let split: Share[];
  if (i.override) split = [{ version: stable, percent: 100, via: 'fallback:rollback' }];
  else if (!def) split = [{ version: stable, percent: 100, via: 'fallback:no_flag' }];
  else if (!def.enabled) split = [{ version: stable, percent: 100, via: 'fallback:flag_disabled' }];
  else split = unconstrainedSplit(i, def, stable, conditional);
  return {
    model: i.model,
    stable_version: stable,
    flag: {
      name: i.flagName,
      source: i.flags?.kind ?? 'none',
      defined: def !== undefined,
      enabled: def?.enabled ?? false,
      strategies: def?.strategies ?? [],
      variants: def?.variants ?? [],
    },
    rollback: i.override ?? null,
    effective_split: merge(split),
    conditional,
    shadow: i.shadow ?? null,
  };
}

function unconstrainedSplit(i: RoutingViewInput, def: FeatureFlag, stable: string, conditional: Conditional[]): Share[] {
  const target = (name: string, payload?: { value: string }) => payload?.value ?? name;
  const resolve = (t: string, variant: string): { version: string; via: string } => {
    const lv = i.router.lookup(i.model, t);
    const stableLv = i.router.stable(i.model);
    if (!lv) return { version: stable, via: 'fallback:version_not_loaded' };
    if (!sameInputSchema(lv, stableLv)) return { version: stable, via: 'fallback:schema_mismatch' };
    return { version: lv.version, via: `flag:${variant}` };
  };
  for (const s of def.strategies) {
    const variants = (s.variants?.length ? s.variants : def.variants) ?? [];
    if (s.constraints && s.constraints.length > 0) {
      conditional.push({ constraints: s.constraints, variants: variants.map((v) => ({ name: v.name, weight: v.weight, target: target(v.name, v.payload) })) });
      continue;
    }
    const rollout = s.name === 'flexibleRollout' ? Number(s.parameters?.rollout ?? 100) : s.name === 'default' ? 100 : NaN;
    if (!Number.isFinite(rollout)) continue;
    const total = variants.reduce((a, v) => a + v.weight, 0);
    const shares: Share[] = variants.map((v) => {
      const r = resolve(target(v.name, v.payload), v.name);
      return { version: r.version, percent: total > 0 ? (rollout * v.weight) / total : 0, via: r.via };
    });
    if (total === 0) shares.push({ version: stable, percent: rollout, via: 'fallback:no_variant' });
    if (rollout < 100) shares.push({ version: stable, percent: 100 - rollout, via: 'fallback:not_in_rollout' });
    return shares;
  }
  return [{ version: stable, percent: 100, via: 'fallback:not_in_rollout' }];
}

function merge(shares: Share[]): Share[] {
  const out = new Map<string, Share>();
  for (const s of shares) {
    const key = `${s.version}|${s.via}`;
    const prev = out.get(key);
    out.set(key, prev ? { ...prev, percent: prev.percent + s.percent } : { ...s });
  }
  return [...out.values()].map((s) => ({ ...s, percent: Math.round(s.percent * 100) / 100 }));
}
