import { INTEGER_VERSION_RE, SEMVER_RE } from '../contracts/names.js';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string[];
}

/** A semver, or an integer version N read as N.0.0 (so integers order numerically and bump majors). */
export function parseSemver(v: string): SemVer | undefined {
  if (INTEGER_VERSION_RE.test(v)) return { major: Number(v), minor: 0, patch: 0, prerelease: [] };
  const m = SEMVER_RE.exec(v);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), prerelease: m[4] ? m[4].split('.') : [] };
}

/** semver.org precedence (integer versions as N.0.0, ties: integer first): negative when a < b. */
export function compareSemver(a: string, b: string): number {
  const x = parseSemver(a);
  const y = parseSemver(b);
  if (!x || !y) return a < b ? -1 : a > b ? 1 : 0;
  const d = x.major - y.major || x.minor - y.minor || x.patch - y.patch;
  if (d !== 0) return d;
  const ints = Number(INTEGER_VERSION_RE.test(b)) - Number(INTEGER_VERSION_RE.test(a));
  if (ints !== 0) return ints;
  if (x.prerelease.length === 0 || y.prerelease.length === 0) return y.prerelease.length - x.prerelease.length;
  for (let i = 0; i < Math.max(x.prerelease.length, y.prerelease.length); i++) {
    const p = x.prerelease[i];
    const q = y.prerelease[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) {
      const n = Number(p) - Number(q);
      if (n !== 0) return n;
    } else if (pn !== qn) return pn ? -1 : 1;
    else if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

export const highestVersion = (versions: Iterable<string>): string | undefined =>
  [...versions].sort(compareSemver).at(-1);

/** The one version order of modelgate (semver and integer versions): see names.ts. */
export const compareVersions = compareSemver;
