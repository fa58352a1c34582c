import { describe, expect, it } from 'vitest';
import { compareVersions, highestVersion } from '../../src/repository/semver.js';
import { assertNames } from '../../src/contracts/names.js';
import { isVersion } from '../../src/contracts/names.js';
import { checkVersionRules } from '../../src/registry/version-rules.js';
import { Manifest } from '../../src/contracts/manifest.js';

/** Issue 9: one validator for names and versions; integer versions (Triton / TF Serving) beside semver. */
describe('model names and versions', () => {
  it.each([
    ['1.2.0', true], ['1.0.0-rc.1+build.5', true], ['1', true], ['42', true], ['0', false], ['01', false],
    ['1.2', false], ['latest', false], ['../1.0.0', false], ['1 ', false], ['', false],
  ])('isVersion(%j) is %s', (v, ok) => {
    expect(isVersion(v)).toBe(ok);
  });

  it('orders integer versions numerically, and beside semver as N.0.0', () => {
    expect(['10', '2', '1'].sort(compareVersions)).toEqual(['1', '2', '10']);
    expect(highestVersion(['9', '10', '2'])).toBe('10');
    expect(['2.0.0', '3', '1.5.0', '2'].sort(compareVersions)).toEqual(['1.5.0', '2', '2.0.0', '3']);
  });

  it('refuses bad names and versions with a 400 that says what is allowed', () => {
    expect(() => assertNames('a..b')).toThrow(/invalid model name: use 1-64 of/);
    expect(() => assertNames('m', '1.0')).toThrow(/invalid model version: use a semver such as 1.2.0 or an integer such as 3/);
    expect(() => assertNames('m', '7')).not.toThrow();
  });

  it('applies the version rules to integer versions: a new integer is a new major', () => {
    const manifest = (version: string, shape: number[]) =>
      Manifest.parse({
        name: 'm', version, artifact: { sha256: version.padStart(64, '0') },
        inputs: [{ name: 'x', datatype: 'FP32', shape }], outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 1] }],
      });
    const existing = [{ version: '1', dataVersion: null, trainingDataHash: null, manifest: manifest('1', [-1, 4]) }];
    expect(() => checkVersionRules(manifest('2', [-1, 5]), existing)).not.toThrow();
    expect(() => checkVersionRules(manifest('1', [-1, 4]), existing)).toThrow(/already registered/);
  });
});
