/** Small-sample tests for the canary checks: exact where counts are small, Welch's t for means. */

/** ln Γ(x) (Lanczos, g = 7): enough digits for p-values. */
export function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const y = x - 1;
  let a = c[0] as number;
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

const lnChoose = (n: number, k: number) => lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);

/**
 * One-sided Fisher exact test: the probability of seeing at least `x1` failures among `n1` canary
 * requests if canary and stable (`x2` of `n2`) failed at the same rate.
 */
export function fisherGreater(x1: number, n1: number, x2: number, n2: number): number {
  const k = x1 + x2;
  const n = n1 + n2;
  if (n1 === 0 || k === 0) return 1;
  const denom = lnChoose(n, k);
  let p = 0;
  for (let x = x1; x <= Math.min(k, n1); x++) p += Math.exp(lnChoose(n1, x) + lnChoose(n2, k - x) - denom);
  return Math.min(1, p);
}

/** One-sided binomial test: P(X >= k) for X ~ Binomial(n, p). */
export function binomialGreater(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let sum = 0;
  for (let x = k; x <= n; x++) sum += Math.exp(lnChoose(n, x) + x * Math.log(p) + (n - x) * Math.log1p(-p));
  return Math.min(1, sum);
}

/** Regularised incomplete beta I_x(a, b), by its continued fraction (Numerical Recipes' betacf). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x > (a + 1) / (a + b + 2)) return 1 - incompleteBeta(1 - x, b, a);
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  d = 1 / (Math.abs(d) < 1e-30 ? 1e-30 : d);
  let f = d;
  for (let m = 1; m <= 200; m++) {
    for (const step of [0, 1]) {
      const num = step === 0 ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m)) : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      d = 1 / (Math.abs(d) < 1e-30 ? 1e-30 : d);
      c = 1 + num / c;
      if (Math.abs(c) < 1e-30) c = 1e-30;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-12) break;
  }
  return (front * f) / a;
}

/** P(T > t) for Student's t with `df` degrees of freedom. */
export function tUpper(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

export interface Sample {
  n: number;
  mean: number;
  variance: number;
}

/** One-sided Welch t-test: p-value of "a's mean is greater than b's". */
export function welchGreater(a: Sample, b: Sample): number {
  if (a.n < 2 || b.n < 2) return 1;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return a.mean > b.mean ? 0 : 1;
  const df = (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  return tUpper((a.mean - b.mean) / se, df);
}

/** Regularised upper incomplete gamma Q(a, x) (series below a + 1, continued fraction above). */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lnFront = -x + a * Math.log(x) - lnGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 500 && Math.abs(term) > Math.abs(sum) * 1e-14; n++) sum += (term *= x / (a + n));
    return Math.max(0, 1 - sum * Math.exp(lnFront));
  }
  let b = x + 1 - a;
  let c = 1e30;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    d = 1 / (Math.abs(d) < 1e-30 ? 1e-30 : d);
    c = b + an / c;
    if (Math.abs(c) < 1e-30) c = 1e-30;
    h *= d * c;
    if (Math.abs(d * c - 1) < 1e-14) break;
  }
  return Math.exp(lnFront) * h;
}

/**
 * Chi-square test of homogeneity of two histograms over the same bins: the p-value that both are
 * samples of one distribution (bins empty on both sides do not count).
 */
export function chiSquareHomogeneity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    na += a[i] ?? 0;
    nb += b[i] ?? 0;
  }
  if (na === 0 || nb === 0) return 1;
  let stat = 0;
  let bins = 0;
  for (let i = 0; i < a.length; i++) {
    const col = (a[i] ?? 0) + (b[i] ?? 0);
    if (col === 0) continue;
    bins++;
    const ea = (col * na) / (na + nb);
    const eb = (col * nb) / (na + nb);
    stat += ((a[i] ?? 0) - ea) ** 2 / ea + ((b[i] ?? 0) - eb) ** 2 / eb;
  }
  return bins < 2 ? 1 : gammaQ((bins - 1) / 2, stat / 2);
}
