import { total } from './psi.js';

/**
 * Counts per bin over a rolling window, as a ring of fixed sub-window arrays: adding a sample is
 * one increment, rolling the window zeroes the oldest array. Memory is bins x slices, whatever
 * the traffic.
 */
export class RollingHistogram {
  private readonly slices: Float64Array[];
  private current = 0;

  constructor(readonly bins: number, slices: number) {
    this.slices = Array.from({ length: slices }, () => new Float64Array(bins));
  }

  add(bin: number): void {
    (this.slices[this.current] as Float64Array)[bin]! += 1;
  }

  /** Start a new slice, dropping the oldest. */
  roll(): void {
    this.current = (this.current + 1) % this.slices.length;
    (this.slices[this.current] as Float64Array).fill(0);
  }

  /** The window's counts (sum of the slices). */
  counts(): Float64Array {
    const out = new Float64Array(this.bins);
    for (const s of this.slices) for (let i = 0; i < this.bins; i++) out[i]! += s[i] as number;
    return out;
  }

  get samples(): number {
    return total(this.counts());
  }
}
