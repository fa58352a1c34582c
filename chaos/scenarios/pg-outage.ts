// (8) Shared mode across a PostgreSQL outage: two replicas on a PRIVATE cluster (never the shared
// one), under load, the cluster stopped for up to 15 s across several audit checks (1 s here).
// 0 failed predictions; every prediction answered during the outage is in the trace afterwards;
// changes answered 503 + Retry-After meanwhile; LISTEN reconnects by itself (a rollback then
// reaches the other replica within milliseconds: the poll is set to a minute, so only LISTEN can).
import { keepAliveLoad, type Outcome } from '../../test/support/keep-alive-load.js';
import { PrivatePostgres } from '../../test/support/private-postgres.js';
import type { ServerProcess } from '../../test/support/server-process.js';
import { GatewayHome, MODEL, admin, auditVerify, predictV1, sleep, type ChaosOptions, type ScenarioResult } from '../harness.js';

const metricValue = async (url: string, name: string): Promise<number> => {
  const line = (await (await fetch(`${url}/metrics`)).text()).split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
};

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) return -1;
    await sleep(10);
  }
  return Date.now() - start;
}

export async function pgOutage(opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  // 15 s from --duration=15 up (the outage), as long as the load scenarios below that (CI: 5 s).
  const outageS = Math.min(15, Math.max(3, opts.durationS));
  const failures: string[] = [];
  const counts: Record<string, number> = { outageS };
  const pg = await PrivatePostgres.create();
  const registry = { databaseUrl: pg.url, auditVerifyIntervalMs: 1000, pollIntervalMs: 60_000, connectTimeoutMs: 1000, statementTimeoutMs: 2000 };
  const replicas: ServerProcess[] = [];
  try {
    for (let i = 0; i < 2; i++) replicas.push(await new GatewayHome({ registry }).start({ LOG_LEVEL: 'info' }));
    const [a, b] = replicas as [ServerProcess, ServerProcess];
    let stop = false;
    const loads = replicas.map((r) => keepAliveLoad({ url: r.url, connections: 2, next: (i) => predictV1(i), stop: () => stop, keepBodies: false }));
    await sleep(1000);

    await pg.stop();
    const downAt = Date.now();
    let admin503 = 0;
    let adminOther = 0;
    let adminMaxMs = 0;
    while (Date.now() - downAt < outageS * 1000) {
      const t = Date.now();
      const res = await admin(a.url, `/admin/models/${MODEL}/rollback`, { method: 'POST', body: '{"reason":"during the outage"}' });
      adminMaxMs = Math.max(adminMaxMs, Date.now() - t);
      await res.body?.cancel();
      if (res.status === 503 && res.headers.get('retry-after')) admin503++;
      else adminOther++;
      await sleep(1000);
    }
    const upAt = Date.now();
    await pg.start();
    counts.admin503 = admin503;
    counts.adminMaxMs = adminMaxMs;
    if (adminOther > 0) failures.push(`${adminOther} admin changes during the outage were not 503 + Retry-After`);

    // LISTEN back on both, then a rollback through a reaches b (the poll runs once a minute).
    const listenMs = await waitUntil(async () => (await metricValue(a.url, 'modelgate_registry_listen_connected')) === 1 && (await metricValue(b.url, 'modelgate_registry_listen_connected')) === 1, 30_000);
    counts.listenBackMs = listenMs;
    if (listenMs < 0) failures.push('LISTEN did not reconnect within 30 s');
    const rb = await admin(a.url, `/admin/models/${MODEL}/rollback`, { method: 'POST', body: '{"reason":"after the outage"}' });
    await rb.body?.cancel();
    const t0 = Date.now();
    const reachedMs = await waitUntil(async () => {
      const v = (await (await admin(b.url, `/admin/models/${MODEL}/routing`)).json()) as { rollback: unknown };
      return v.rollback !== null;
    }, 5000);
    counts.rollbackReachedPeerMs = reachedMs < 0 ? -1 : Date.now() - t0;
    if (rb.status !== 200 || reachedMs < 0) failures.push(`rollback after the outage: ${rb.status}, reached the peer: ${reachedMs} ms`);
    await (await admin(a.url, `/admin/models/${MODEL}/rollback`, { method: 'DELETE' })).body?.cancel();

    stop = true;
    const outcomes: Outcome[] = (await Promise.all(loads)).flat();
    const during = outcomes.filter((o) => o.status === 200 && o.sentAt >= downAt && o.sentAt <= upAt);
    counts.requests = outcomes.length;
    counts.failed = outcomes.filter((o) => o.status !== 200).length;
    counts.answeredDuringOutage = during.length;
    if (counts.failed) failures.push(`${counts.failed} predictions failed`);
    for (const r of replicas) if (r.child.exitCode !== null) failures.push(`a replica exited (${r.child.exitCode})`);

    // Records wait for the database with backoff (up to 5 s between attempts): until both have written them.
    counts.traceCaughtUpMs = await waitUntil(async () => {
      for (const r of replicas) {
        const st = (await (await admin(r.url, '/admin/status')).json()) as { registry?: { traceWaiting?: boolean } };
        if (st.registry?.traceWaiting !== false) return false;
      }
      return true;
    }, 30_000);
    for (const result of ['dropped', 'failed']) {
      let n = 0;
      for (const r of replicas) {
        const m = new RegExp(`modelgate_trace_records_total\\{result="${result}"\\} (\\d+)`).exec(await (await fetch(`${r.url}/metrics`)).text());
        n += Number(m?.[1] ?? 0);
      }
      counts[`trace_${result}`] = n;
      if (n > 0) failures.push(`${n} trace records ${result}`);
    }
    // Everything answered during the outage, looked up through either replica.
    let missing = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, w) => {
        while (next < during.length) {
          const o = during[next++] as Outcome;
          const res = await admin((w % 2 ? a : b).url, `/admin/predictions/${o.id}`);
          await res.body?.cancel();
          if (res.status !== 200) missing++;
        }
      }),
    );
    counts.missingFromTrace = missing;
    if (missing) failures.push(`${missing} of ${during.length} predictions answered during the outage are missing from the trace`);
    counts.traceErrorLines = replicas.reduce((n, r) => n + r.logs().split('\n').filter((l) => /"level":50/.test(l) && /trace/.test(l)).length, 0);
    counts.auditOk = await auditVerify(a.url, failures);
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await pg.destroy();
  }
  return { name: 'pg-outage', counts, failures, seconds: (Date.now() - started) / 1000 };
}
