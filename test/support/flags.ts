import { writeFileSync, renameSync } from 'node:fs';

export interface VariantSpec {
  name: string;
  weight: number;
  version?: string;
}

/** A client-features flag: flexibleRollout with variants naming versions in their payload. */
export function flag(name: string, opts: { enabled?: boolean; rollout?: number; variants?: VariantSpec[]; tenantPins?: Record<string, string> } = {}) {
  const variant = (v: VariantSpec) => ({
    name: v.name, weight: v.weight, weightType: 'variable', stickiness: 'default',
    ...(v.version ? { payload: { type: 'string', value: v.version } } : {}),
  });
  const strategies = Object.entries(opts.tenantPins ?? {}).map(([tenant, version]) => ({
    name: 'flexibleRollout',
    parameters: { rollout: '100', stickiness: 'default', groupId: `${name}-${tenant}` },
    constraints: [{ contextName: 'tenantId', operator: 'IN', values: [tenant] }],
    variants: [variant({ name: `tenant-${tenant}`, weight: 1000, version })],
  }));
  strategies.push({
    name: 'flexibleRollout',
    parameters: { rollout: String(opts.rollout ?? 100), stickiness: 'default', groupId: name },
    constraints: [],
    variants: (opts.variants ?? []).map(variant),
  });
  return { name, type: 'experiment', enabled: opts.enabled ?? true, strategies, variants: [] };
}

/** Replace the flags file atomically (as an editor or a config-management tool would). */
export function writeFlags(path: string, features: unknown[] | string): void {
  const text = typeof features === 'string' ? features : JSON.stringify({ version: 2, features }, null, 2);
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export const CANARY_90_10 = [{ name: 'stable', weight: 900, version: '1.0.0' }, { name: 'canary', weight: 100, version: '1.1.0' }];

export async function waitFor(check: () => Promise<boolean>, timeoutMs = 3_000): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < timeoutMs) {
    if (await check()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
