import { describe, expect, it } from 'vitest';
import { compareSemver, highestVersion, parseSemver } from '../../src/repository/semver.js';

describe('semver', () => {
  it.each([
    ['1.0.0', '1.0.1', -1],
    ['1.2.0', '1.10.0', -1],
    ['2.0.0', '1.99.99', 1],
    ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0+build.7', '1.0.0', 0],
  ])('%s vs %s -> %i (semver.org precedence)', (a, b, sign) => {
    expect(Math.sign(compareSemver(a, b))).toBe(sign);
    expect(Math.sign(compareSemver(b, a)) + 0).toBe(-sign + 0);
  });

  it('picks the highest version and refuses what is not semver', () => {
    expect(highestVersion(['1.1.0', '2.0.0-rc.1', '1.10.0', '1.9.9'])).toBe('2.0.0-rc.1');
    expect(highestVersion(['1.1.0', '2.0.0-rc.1', '2.0.0'])).toBe('2.0.0');
    for (const bad of ['1.0', 'v1.0.0', '01.0.0', '1.0.0.0', '../1.0.0', '']) expect(parseSemver(bad)).toBeUndefined();
  });
});
