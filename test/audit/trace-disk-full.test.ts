import { mkdirSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PredictionTrace } from '../../src/audit/prediction-trace.js';
import { TraceLog } from '../../src/audit/trace-log.js';
import { RegistrySettings, TraceSettings } from '../../src/config/registry-schema.js';
import type { ObservedPrediction } from '../../src/contracts/prediction.js';
import { BackgroundTasks } from '../../src/logging/background-tasks.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import type { LoadedVersion } from '../../src/contracts/loaded-version.js';
import { HOUSE_V1, copyDemoModels, tempDir } from '../support/fixtures.js';
import { ADMIN_TOKEN, json, startGateway } from '../support/gateway.js';
import { fullDisk, injectedDisk, type FullDisk } from '../support/full-disk.js';
import { eventually } from '../support/governance.js';

const feeds = { features: { type: 'float32' as const, dims: [1, 2], data: new Float32Array([1, 2]) } };
const observed = (requestId: string): ObservedPrediction => ({
  requestId, atMs: Date.now(), model: 'm', version: { version: '1.0.0' } as LoadedVersion, route: 'fallback:no_flag', pin: undefined,
  cache: 'bypass', latencyMs: 1, feeds, outputs: { price: { type: 'float32', dims: [1, 1], data: new Float32Array([42]) } },
});
const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

function harness(dir: string, settings: Partial<TraceSettings>, files?: FullDisk['files']) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } }));
  const metrics = new GatewayMetrics(undefined, { processMetrics: false });
  const background = new BackgroundTasks(logger, { inc: (l) => metrics.backgroundErrors.inc(l) });
  const log = new TraceLog({
    dir, settings: TraceSettings.parse({ flushIntervalMs: 5, ...settings }), records: metrics.traceRecords,
    logger, background, degraded: metrics.traceDegraded, retryMs: 20, ...(files ? { files } : {}),
  });
  const value = async (name: string, labels: Record<string, string> = {}) =>
    (await metrics.registry.getSingleMetric(name)?.get())?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
  return { log, trace: new PredictionTrace(log, 2048), lines, metrics, value };
}

/** Every file under a folder, in bytes. */
const dirBytes = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

const disks: FullDisk[] = [];
afterEach(() => {
  for (const d of disks.splice(0)) d.dispose();
});

describe.each(['tmpfs', 'injected'] as const)('prediction trace on a full disk (%s)', (kind) => {
  it('keeps serving: records wait within maxPendingBytes, the rest are dropped and counted; writing resumes by itself with nothing kept lost', async () => {
    const disk = fullDisk(3 * 1024 * 1024, kind);
    disks.push(disk);
    if (kind === 'tmpfs' && disk.kind !== 'tmpfs') console.warn('mount refused here: the tmpfs case ran with ENOSPC injected');
    const dir = join(disk.dir, 'trace');
    const { log, trace, lines, value } = harness(dir, { maxSegmentBytes: 64 * 1024, maxPendingBytes: 256 * 1024, maxBytes: 0 }, disk.files);
    for (let i = 0; i < 100; i++) trace.observe(observed(`before-${i}`));
    await log.drain();
    disk.fill();

    const kept: string[] = [];
    const dropped: string[] = [];
    for (let batch = 0; dropped.length === 0 || batch < 60; batch++) {
      const over = log.health().pendingBytes > 256 * 1024;
      for (let i = 0; i < 100; i++) {
        const id = `full-${batch}-${i}`;
        trace.observe(observed(id));
        (over ? dropped : kept).push(id);
      }
      await tick(10);
    }
    expect(kept.length).toBeGreaterThan(1000);
    expect(log.health()).toMatchObject({ degraded: true, reason: expect.stringMatching(/ENOSPC/) });
    expect(await value('modelgate_trace_degraded')).toBe(1);
    expect(await value('modelgate_trace_records_total', { result: 'dropped' })).toBe(dropped.length);
    expect(await value('modelgate_trace_records_total', { result: 'failed' })).toBe(0);
    expect(await value('modelgate_background_errors_total', { task: 'trace-write' })).toBeGreaterThan(0);
    // One line for the failing task within the log interval, however many retries failed.
    expect(lines.filter((l) => l.task === 'trace-write')).toHaveLength(1);

    disk.free();
    await eventually(async () => (log.health().degraded ? undefined : true));
    expect(await value('modelgate_trace_degraded')).toBe(0);
    trace.observe(observed('after'));
    await log.drain();
    for (const id of ['before-0', 'before-99', ...kept, 'after']) {
      const [rec] = await log.find(id, 1);
      if (rec?.requestId !== id) throw new Error(`${id} answered within the buffer but missing from the trace`);
    }
    expect(await log.find(dropped[0] as string)).toEqual([]);
    await log.close();
    // Sealed with their indexes, and found again after a restart.
    expect(readdirSync(dir).filter((f) => f.endsWith('.idx')).length).toBeGreaterThan(2);
    const again = harness(dir, {}, disk.files).log;
    expect((await again.find(kept.at(-1) as string))[0]?.requestId).toBe(kept.at(-1));
    await again.close();
  });

  it('starts on a full disk with a crashed segment to index: serves degraded instead of exiting, then indexes it once space returns', async () => {
    const disk = fullDisk(3 * 1024 * 1024, kind);
    disks.push(disk);
    const dir = join(disk.dir, 'trace');
    const first = harness(dir, {});
    for (let i = 0; i < 300; i++) first.trace.observe(observed(`old-${i}`));
    await first.log.drain();
    // A SIGKILL: the active segment has no index.
    expect(readdirSync(dir).filter((f) => f.endsWith('.idx'))).toEqual([]);
    disk.fill();

    const { log, trace, value } = harness(dir, { retentionDays: 30 }, disk.files);
    log.start();
    expect(log.health().degraded).toBe(true);
    expect(await value('modelgate_trace_degraded')).toBe(1);
    expect((await log.find('old-7'))[0]?.requestId).toBe('old-7');
    trace.observe(observed('while-full'));
    disk.free();
    await eventually(async () => (log.health().degraded ? undefined : true));
    await log.drain();
    expect((await log.find('while-full'))[0]?.requestId).toBe('while-full');
    expect(readdirSync(dir)).toContain('trace-00000001.idx');
    await log.close();
  });
});

describe('prediction trace start-up never deletes what it cannot read', () => {
  it('rebuilds an empty or torn index from its log instead of taking the segment for one from 1970 and pruning it', async () => {
    const dir = tempDir('modelgate-trace-');
    const first = harness(dir, {});
    for (let i = 0; i < 300; i++) first.trace.observe(observed(`first-${i}`));
    await first.log.close();
    const second = harness(dir, {});
    for (let i = 0; i < 300; i++) second.trace.observe(observed(`second-${i}`));
    await second.log.close();
    truncateSync(join(dir, 'trace-00000001.idx'), 0);
    truncateSync(join(dir, 'trace-00000002.idx'), 30);

    const { log, lines } = harness(dir, { retentionDays: 30 });
    log.start();
    for (const id of ['first-0', 'first-299', 'second-0', 'second-299']) expect((await log.find(id))[0]?.requestId).toBe(id);
    expect(lines.filter((l) => l.level === 50)).toEqual([]);
    expect(statSync(join(dir, 'trace-00000001.idx')).size).toBe(20 + 300 * 12);
    await log.close();
  });

  it('sets an unreadable segment aside (renamed, reported) and keeps its sequence', async () => {
    const dir = tempDir('modelgate-trace-');
    const first = harness(dir, {});
    first.trace.observe(observed('kept'));
    await first.log.close();
    mkdirSync(join(dir, 'trace-00000002.log'));
    const { log, trace, lines } = harness(dir, {});
    expect(readdirSync(dir)).toContain('trace-00000002.log.unreadable');
    expect(lines.some((l) => /could not be read; set aside/.test(String(l.msg)) && l.file === 'trace-00000002.log')).toBe(true);
    trace.observe(observed('new'));
    await log.close();
    expect(readdirSync(dir)).toContain('trace-00000003.log');
    const again = harness(dir, {}).log;
    expect((await again.find('kept'))[0]?.requestId).toBe('kept');
    expect((await again.find('new'))[0]?.requestId).toBe('new');
    await again.close();
  });
});

describe('prediction trace sealing on a full disk', () => {
  it('keeps a segment whose index cannot be written in memory (found, not pruned), and writes the index once space returns', async () => {
    const disk = injectedDisk(tempDir('modelgate-trace-'));
    disks.push(disk);
    disk.full = 'index';
    const { log, trace, value } = harness(disk.dir, { maxSegmentBytes: 64 * 1024 }, disk.files);
    for (let i = 0; i < 2000; i++) trace.observe(observed(`r-${i}`));
    await log.drain();
    await eventually(async () => ((await value('modelgate_background_errors_total', { task: 'trace-seal' })) > 0 ? true : undefined));
    expect(log.health().degraded).toBe(true);
    expect((await log.find('r-0'))[0]?.requestId).toBe('r-0');
    disk.free();
    await eventually(async () => (log.health().degraded ? undefined : true));
    expect(readdirSync(disk.dir)).toContain('trace-00000001.idx');
    await log.close();
  });
});

describe('trace.maxBytes', () => {
  it('never prunes a folder under maxBytes: a new segment holds records before it holds bytes', async () => {
    const dir = tempDir('modelgate-trace-');
    const { log, trace } = harness(dir, { flushIntervalMs: 50, maxSegmentBytes: 64 * 1024 });
    for (let batch = 0; batch < 30; batch++) {
      for (let i = 0; i < 100; i++) trace.observe(observed(`r-${batch}-${i}`));
      await tick(2);
    }
    await log.drain();
    for (const id of ['r-0-0', 'r-15-50', 'r-29-99']) expect((await log.find(id))[0]?.requestId).toBe(id);
    expect(readdirSync(dir)).toContain('trace-00000001.log');
    await log.close();
  });

  it('bounds every file of the folder: sealed logs and indexes, and the active segment with its index', async () => {
    const dir = tempDir('modelgate-trace-');
    const maxBytes = 320 * 1024;
    const { log, trace } = harness(dir, { maxSegmentBytes: 64 * 1024, maxBytes });
    let most = 0;
    for (let batch = 0; batch < 40; batch++) {
      for (let i = 0; i < 200; i++) trace.observe(observed(`s-${batch}-${i}`));
      await log.drain();
      await tick(5);
      most = Math.max(most, dirBytes(dir));
    }
    expect(most).toBeGreaterThan(maxBytes / 2);
    expect(most).toBeLessThanOrEqual(maxBytes);
    expect((await log.find('s-39-199'))[0]?.requestId).toBe('s-39-199');
    await log.close();
    expect(dirBytes(dir)).toBeLessThanOrEqual(maxBytes);
  });
});


describe('a gateway whose trace disk is full at start-up', () => {
  it('serves, says so on readiness and in modelgate_trace_degraded, and traces again once space returns', async () => {
    const disk = injectedDisk(tempDir('modelgate-disk-'));
    disks.push(disk);
    disk.fill();
    const root = tempDir('modelgate-gov-');
    const registry = RegistrySettings.parse({ dbPath: join(root, 'registry.db'), pollIntervalMs: 0, trace: { dir: join(disk.dir, 'trace'), flushIntervalMs: 5 } });
    const gw = await startGateway(copyDemoModels(), { registry, flags: { source: 'file', file: join(root, 'none.json') } }, { traceFiles: disk.files });
    try {
      const ready = await gw.app.request('/v2/health/ready');
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ ready: true, degraded: { trace: expect.stringMatching(/ENOSPC/) } });
      const predicted = await gw.app.request('/v1/models/property-valuation/versions/1.0.0/predict', json({ instances: [HOUSE_V1] }, { 'x-request-id': 'while-full' }));
      expect(predicted.status).toBe(200);
      expect(await (await gw.app.request('/metrics')).text()).toMatch(/^modelgate_trace_degraded 1$/m);
      disk.free();
      await eventually(async () => ((await (await gw.app.request('/v2/health/ready')).json()) as { degraded?: unknown }).degraded === undefined ? true : undefined);
      expect(await (await gw.app.request('/metrics')).text()).toMatch(/^modelgate_trace_degraded 0$/m);
      const found = await gw.app.request('/admin/predictions/while-full', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(found.status).toBe(200);
    } finally {
      await gw.close(0);
    }
  });
});
