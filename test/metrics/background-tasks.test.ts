import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { BackgroundTasks } from '../../src/logging/background-tasks.js';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';

function setup() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(JSON.parse(String(chunk))); cb(); } });
  const metrics = new GatewayMetrics(undefined, { processMetrics: false });
  let now = 0;
  const tasks = new BackgroundTasks(pino({ level: 'info' }, sink), { inc: (l) => metrics.backgroundErrors.inc(l) }, () => now, 10_000);
  return { lines, metrics, tasks, advance: (ms: number) => (now += ms) };
}

const count = async (m: GatewayMetrics, task: string) =>
  (await m.registry.getSingleMetric('modelgate_background_errors_total')?.get())?.values.find((v) => v.labels.task === task)?.value ?? 0;

describe('background tasks', () => {
  it('a failing timer, listener or promise never reaches the process: counted per task, logged once per interval', async () => {
    const { lines, metrics, tasks, advance } = setup();
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const fail = tasks.guard('audit-verify', async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      });
      fail();
      fail();
      tasks.guard('registry-listen', () => {
        throw new Error('listener failed');
      })();
      await new Promise((r) => setTimeout(r, 10));
      advance(10_001);
      fail();
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(await count(metrics, 'audit-verify')).toBe(3);
    expect(await count(metrics, 'registry-listen')).toBe(1);
    await new Promise((r) => setTimeout(r, 10));
    const audit = lines.filter((l) => l.task === 'audit-verify');
    expect(audit).toHaveLength(2);
    expect(audit[0]?.msg).toMatch(/background task 'audit-verify' failed: connect ECONNREFUSED/);
    expect(audit[1]?.foldedSinceLastLine).toBe(1);
  });

  it('every() ticks until cleared, through failures', async () => {
    const { metrics, tasks } = setup();
    let ticks = 0;
    const timer = tasks.every('drift', 5, () => {
      ticks++;
      throw new Error('tick failed');
    });
    await new Promise((r) => setTimeout(r, 60));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(2);
    expect(await count(metrics, 'drift')).toBe(ticks);
  });
});
