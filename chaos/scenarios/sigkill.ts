// (9) SIGKILL under load: the process gets no chance to flush. What the trace loses is the records
// answered within the last write interval (trace.flushIntervalMs, 50 ms by default: records wait
// in memory until the next flush hands them to the kernel). Measures that window: the ids
// answered before the kill and missing after a restart, and how long before the kill the oldest
// of them was answered. Fails when anything answered earlier than the write interval (plus a
// margin for a loaded machine) is missing, or when the restart or the audit check fails.
import { keepAliveLoad } from '../../test/support/keep-alive-load.js';
import { GatewayHome, admin, auditVerify, predictV1, sleep, type ChaosOptions, type ScenarioResult } from '../harness.js';

const FLUSH_INTERVAL_MS = 50;
const MARGIN_MS = 200;

export async function sigkill(opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const home = new GatewayHome();
  const failures: string[] = [];
  const counts: Record<string, number> = {};
  const gw = await home.start({});
  const answeredAt = new Map<string, number>();
  let killedAt = Number.POSITIVE_INFINITY;
  const load = keepAliveLoad({
    url: gw.url, connections: 8, next: (i) => predictV1(i), stop: () => Date.now() >= killedAt, keepBodies: false,
    onOutcome: (o) => {
      if (o.status === 200) answeredAt.set(o.id, Date.now());
    },
  });
  await sleep(opts.durationS * 1000);
  killedAt = Date.now();
  await gw.stop('SIGKILL');
  await load;
  const restartFrom = Date.now();
  const again = await home.start({});
  counts.restartMs = Date.now() - restartFrom;
  try {
    const ids = [...answeredAt.keys()];
    const missing: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < ids.length) {
          const id = ids[next++] as string;
          const res = await admin(again.url, `/admin/predictions/${id}`);
          await res.body?.cancel();
          if (res.status !== 200) missing.push(id);
        }
      }),
    );
    counts.answered = ids.length;
    counts.missingFromTrace = missing.length;
    // How long before the kill the oldest lost answer went out: the window a SIGKILL loses.
    counts.lostWindowMs = missing.length ? Math.max(0, killedAt - Math.min(...missing.map((id) => answeredAt.get(id) as number))) : 0;
    if (counts.lostWindowMs > FLUSH_INTERVAL_MS + MARGIN_MS) failures.push(`answers from ${counts.lostWindowMs} ms before the SIGKILL lost (write interval ${FLUSH_INTERVAL_MS} ms)`);
    counts.auditOk = await auditVerify(again.url, failures);
  } finally {
    await again.stop();
  }
  return { name: 'sigkill', counts, failures, seconds: (Date.now() - started) / 1000 };
}
