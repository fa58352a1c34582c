/** Where the canary analysis acts: the flag source in use (flags file or Unleash's Admin API). */
export interface TrafficActuator {
  readonly kind: 'file' | 'unleash';
  /** Turn the flag on with `percent` % of unconstrained traffic to the canary, the rest to stable. */
  setSplit(percent: number): Promise<void>;
  /** The kill switch: the flag off, every request to the stable version. */
  kill(): Promise<void>;
}

/** What the flag's variants point at (payloads name a version or an alias). */
export interface SplitTargets {
  flag: string;
  stable: string;
  canary: string;
}

/** Variants in thousandths for a split; only the non-empty ones, the last one `variable` (Unleash needs one). */
export function splitVariants(t: SplitTargets, percent: number) {
  const canary = Math.round(percent * 10);
  const parts = [
    { name: 'stable', weight: 1000 - canary, target: t.stable },
    { name: 'canary', weight: canary, target: t.canary },
  ].filter((v) => v.weight > 0);
  return parts.map((v, i) => ({
    name: v.name,
    weight: v.weight,
    weightType: i === parts.length - 1 ? 'variable' : 'fix',
    stickiness: 'default',
    payload: { type: 'string', value: v.target },
  }));
}
