import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { FileFlagSource } from '../../src/routing/file-flag-source.js';
import { flag, waitFor, writeFlags } from '../support/flags.js';

const flagsText = (enabled: boolean) => JSON.stringify({ version: 2, features: [flag('property-valuation', { enabled, variants: [{ name: 'stable', weight: 1000, version: '1.0.0' }] })] });

/**
 * The layout the kubelet writes for a ConfigMap volume: the data in a timestamped folder,
 * `..data` a symlink to it, and each key a symlink through `..data`. An update writes a new
 * timestamped folder, points `..data_tmp` at it, renames `..data_tmp` over `..data` (atomic),
 * then removes the old folder.
 */
class ConfigMapVolume {
  private current = '';
  private generation = 0;
  constructor(readonly dir: string) {}

  init(files: Record<string, string>): void {
    this.current = this.writeGeneration(files);
    symlinkSync(this.current, join(this.dir, '..data'));
    for (const key of Object.keys(files)) symlinkSync(join('..data', key), join(this.dir, key));
  }

  update(files: Record<string, string>): void {
    const next = this.writeGeneration(files);
    symlinkSync(next, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    rmSync(join(this.dir, this.current), { recursive: true });
    this.current = next;
  }

  private writeGeneration(files: Record<string, string>): string {
    this.generation += 1;
    const name = `..2026_12_01_21_00_0${this.generation}.00000000${this.generation}`;
    mkdirSync(join(this.dir, name));
    for (const [key, text] of Object.entries(files)) writeFileSync(join(this.dir, name, key), text);
    return name;
  }
}

describe('FileFlagSource reloads', () => {
  const sources: FileFlagSource[] = [];
  afterEach(async () => {
    for (const s of sources.splice(0)) await s.close();
  });
  const open = async (path: string, pollIntervalMs = 0) => {
    const source = await FileFlagSource.create(path, createLogger('silent'), new GatewayMetrics(undefined, { processMetrics: false }), { pollIntervalMs });
    sources.push(source);
    return source;
  };
  const enabled = (s: FileFlagSource) => s.definition('property-valuation')?.enabled;

  it('follows a ConfigMap update (..data symlink swapped by rename), twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-configmap-'));
    const volume = new ConfigMapVolume(dir);
    volume.init({ 'flags.json': flagsText(true), 'gateway.json': '{}' });
    const source = await open(join(dir, 'flags.json'));
    expect(enabled(source)).toBe(true);

    volume.update({ 'flags.json': flagsText(false), 'gateway.json': '{}' });
    const ms = await waitFor(async () => enabled(source) === false, 2_000);
    expect(ms).toBeLessThan(1_000);

    volume.update({ 'flags.json': flagsText(true), 'gateway.json': '{}' });
    await waitFor(async () => enabled(source) === true, 2_000);
  });

  it('follows an atomic rename over the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-rename-'));
    const path = join(dir, 'flags.json');
    writeFlags(path, flagsText(true));
    const source = await open(path);
    expect(enabled(source)).toBe(true);
    writeFlags(path, flagsText(false));
    await waitFor(async () => enabled(source) === false, 2_000);
  });

  it('follows a symlink into another folder by its realpath/mtime poll', async () => {
    const target = mkdtempSync(join(tmpdir(), 'mg-target-'));
    const dir = mkdtempSync(join(tmpdir(), 'mg-link-'));
    writeFileSync(join(target, 'flags.json'), flagsText(true));
    symlinkSync(join(target, 'flags.json'), join(dir, 'flags.json'));
    const source = await open(join(dir, 'flags.json'), 50);
    expect(enabled(source)).toBe(true);
    writeFileSync(join(target, 'flags.json'), flagsText(false)); // an event only in the other folder
    await waitFor(async () => enabled(source) === false, 2_000);
  });

  it('keeps the last good flags when a ConfigMap update is not valid JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-configmap-bad-'));
    const volume = new ConfigMapVolume(dir);
    volume.init({ 'flags.json': flagsText(false) });
    const metrics = new GatewayMetrics(undefined, { processMetrics: false });
    const source = await FileFlagSource.create(join(dir, 'flags.json'), createLogger('silent'), metrics, { pollIntervalMs: 0 });
    sources.push(source);
    volume.update({ 'flags.json': '{"version": 2, "features": [' });
    await waitFor(async () => (await metrics.registry.metrics()).includes('modelgate_flag_reloads_total{source="file",result="invalid"} 1'), 2_000);
    expect(enabled(source)).toBe(false);
  });
});
