/** Population Stability Index and its usual bands, over two histograms with the same bins. */

export type DriftBand = 'stable' | 'moderate' | 'significant';

/**
 * Pseudo-count added to every bin (Jeffreys' 0.5): an empty bin would make PSI infinite, and with a
 * floor instead, a window of 50 samples with one empty bin read as 0.7 ("significant") by itself.
 */
const PSEUDO = 0.5;

/** PSI = sum over bins of (a - e) * ln(a / e), on smoothed shares; NaN when either side has no samples. */
export function psi(expected: ArrayLike<number>, actual: ArrayLike<number>): number {
  const e = total(expected);
  const a = total(actual);
  if (e === 0 || a === 0) return Number.NaN;
  const k = expected.length;
  let sum = 0;
  for (let i = 0; i < k; i++) {
    const pe = ((expected[i] ?? 0) + PSEUDO) / (e + PSEUDO * k);
    const pa = ((actual[i] ?? 0) + PSEUDO) / (a + PSEUDO * k);
    sum += (pa - pe) * Math.log(pa / pe);
  }
  return sum;
}

/** < 0.1 stable, 0.1-0.25 moderate, > 0.25 significant. */
export function band(value: number): DriftBand | null {
  if (!Number.isFinite(value)) return null;
  return value < 0.1 ? 'stable' : value <= 0.25 ? 'moderate' : 'significant';
}

export function total(counts: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < counts.length; i++) n += counts[i] ?? 0;
  return n;
}

/** The bin of `value` among `edges` (n + 1 edges, n bins); values outside land in the end bins. */
export function binOf(edges: readonly number[], value: number): number {
  const last = edges.length - 2;
  let i = 0;
  while (i < last && value >= (edges[i + 1] as number)) i++;
  return i;
}
