// D1: no background task can kill the process. Each task's dependency is made to fail; the
// process stays up (vitest fails a run on any unhandled rejection or uncaught exception), the
// failure is counted in modelgate_background_errors_total{task} and logged once per interval.
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import type { FSWatcher } from 'node:fs';
import type { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TraceLog } from '../../src/audit/trace-log.js';
import { TraceSettings } from '../../src/config/registry-schema.js';
import { VersionDrift } from '../../src/drift/version-drift.js';
import type { Gateway } from '../../src/gateway.js';
import { onLoggerFailure, reportDrops } from '../../src/logger.js';
import { BackgroundTasks } from '../../src/logging/background-tasks.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { FileFlagSource } from '../../src/routing/file-flag-source.js';
import { HOUSE_V1, copyDemoModels, tempDir } from '../support/fixtures.js';
import { injectedDisk } from '../support/full-disk.js';
import { json, startGateway } from '../support/gateway.js';
import { eventually } from '../support/governance.js';
import { freePort } from '../support/server-process.js';

const MODEL = 'property-valuation';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } }));
  return { lines, logger };
}

async function errorsOf(metrics: GatewayMetrics, task: string): Promise<number> {
  const m = await metrics.registry.getSingleMetric('modelgate_background_errors_total')?.get();
  return m?.values.find((v) => v.labels.task === task)?.value ?? 0;
}

/** What a user sees: the counter on /metrics, one log line for the task, and the gateway still answering. */
async function expectReported(gw: Gateway, lines: Record<string, unknown>[], task: string, message: RegExp): Promise<void> {
  const count = await eventually(async () => ((await errorsOf(gw.metrics, task)) > 0 ? errorsOf(gw.metrics, task) : undefined));
  expect(count).toBeGreaterThan(0);
  const text = await (await gw.app.request('/metrics')).text();
  expect(text).toMatch(new RegExp(`modelgate_background_errors_total\\{task="${task}"\\} \\d+`));
  const logged = lines.filter((l) => l.task === task);
  expect(logged).toHaveLength(1);
  expect(String(logged[0]?.msg)).toMatch(message);
  expect((await gw.app.request('/v2/health/live')).status).toBe(200);
}

const gateways: Gateway[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const g of gateways.splice(0)) await g.close(0);
});

async function start(overrides: Parameters<typeof startGateway>[1] = {}) {
  const { lines, logger } = capture();
  const gw = await startGateway(copyDemoModels(), { flags: { source: 'file', file: join(tempDir(), 'flags.json') }, ...overrides }, { logger });
  gateways.push(gw);
  return { gw, lines };
}

describe('background tasks whose dependency fails', () => {
  it('drift-roll: a window roll that throws on every tick', async () => {
    vi.spyOn(VersionDrift.prototype, 'roll').mockImplementation(() => {
      throw new Error('histogram roll failed');
    });
    const { gw, lines } = await start({ monitoring: { drift: { windowMs: 100, slices: 50 } } });
    expect((await gw.app.request(`/v1/models/${MODEL}/versions/1.0.0/predict`, json({ instances: [HOUSE_V1] }))).status).toBe(200);
    await expectReported(gw, lines, 'drift-roll', /histogram roll failed/);
    await eventually(async () => ((await errorsOf(gw.metrics, 'drift-roll')) > 5 ? true : undefined));
    expect((await gw.app.request(`/v1/models/${MODEL}/versions/1.0.0/predict`, json({ instances: [HOUSE_V1] }))).status).toBe(200);
  });

  it('redis-tier: the Redis L2 cache is down (connection refused, again and again)', async () => {
    const port = await freePort();
    const { gw, lines } = await start({ cache: { redis: { url: `redis://127.0.0.1:${port}`, timeoutMs: 200 } } });
    await expectReported(gw, lines, 'redis-tier', /ECONNREFUSED/);
    expect((await gw.app.request(`/v1/models/${MODEL}/versions/1.0.0/predict`, json({ instances: [HOUSE_V1] }))).status).toBe(200);
  });

  it('inference-worker: the worker thread running a version dies', async () => {
    const { gw, lines } = await start({ models: { [MODEL]: { runner: 'worker' } } });
    const lv = gw.repository.get(MODEL, '1.0.0');
    expect(lv?.runner.mode).toBe('worker');
    // The worker dies as a crashed native library would take it: terminated from outside.
    await (lv?.runner as unknown as { worker: Worker }).worker.terminate();
    await expectReported(gw, lines, 'inference-worker', /inference worker exited/);
    expect((await gw.app.request(`/v1/models/${MODEL}/versions/1.1.0/predict`, json({ instances: [HOUSE_V1] }))).status).toBe(200);
  });

  it('flags-watch: the flags folder watch fails (inotify error)', async () => {
    const { gw, lines } = await start();
    const flags = gw.flags as FileFlagSource;
    (flags as unknown as { watcher: FSWatcher }).watcher.emit('error', Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' }));
    await expectReported(gw, lines, 'flags-watch', /file watchers/);
  });
});

describe('background tasks outside a gateway', () => {
  it('trace-prune: retention cannot delete a segment (EBUSY): counted, logged once, the trace keeps writing', async () => {
    const disk = injectedDisk(tempDir('modelgate-trace-'));
    disk.files.remove = () => {
      throw Object.assign(new Error('EBUSY: resource busy or locked, unlink'), { code: 'EBUSY' });
    };
    const { lines, logger } = capture();
    const metrics = new GatewayMetrics(undefined, { processMetrics: false });
    const background = new BackgroundTasks(logger, { inc: (l) => metrics.backgroundErrors.inc(l) });
    const log = new TraceLog({
      dir: disk.dir, settings: TraceSettings.parse({ flushIntervalMs: 5, maxSegmentBytes: 64 * 1024, maxBytes: 128 * 1024 }),
      records: metrics.traceRecords, logger, background, files: disk.files,
    });
    log.start();
    const payload = new Uint8Array(200);
    for (let i = 0; i < 3000; i++) log.append({ requestId: `r-${i}`, atMs: Date.now(), latencyMs: 1, model: 'm', version: '1', stage: '', route: 'r', pin: '', cache: 'miss' }, payload);
    await log.drain();
    await eventually(async () => ((await errorsOf(metrics, 'trace-prune')) > 0 ? true : undefined));
    expect(lines.filter((l) => l.task === 'trace-prune')).toHaveLength(1);
    expect((await log.find('r-2999'))[0]?.requestId).toBe('r-2999');
    await log.close();
    disk.dispose();
  });

  it('log-drops and log-sink: the log sink fails while reporting dropped lines', async () => {
    const { lines, logger: reporter } = capture();
    const metrics = new GatewayMetrics(undefined, { processMetrics: false });
    const background = new BackgroundTasks(reporter, { inc: (l) => metrics.backgroundErrors.inc(l) });
    // The gateway's logger writes to a stdout that is gone (EPIPE on every write).
    const broken = pino({ level: 'info' }, { write: () => { throw Object.assign(new Error('EPIPE: broken pipe, write'), { code: 'EPIPE' }); } });
    onLoggerFailure(broken, (task, err) => background.failed(task, err));
    const sink = new EventEmitter();
    const timer = reportDrops(broken, sink as unknown as { on(e: 'drop', l: () => void): unknown }, 5);
    sink.emit('drop');
    sink.emit('drop');
    await eventually(async () => ((await errorsOf(metrics, 'log-drops')) > 0 ? true : undefined));
    clearInterval(timer);
    expect(lines.filter((l) => l.task === 'log-drops')).toHaveLength(1);
    expect(String(lines[0]?.msg)).toMatch(/EPIPE/);
  });
});
