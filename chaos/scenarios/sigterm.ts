// (2) SIGTERM under keep-alive load, as Kubernetes sends it: the load balancer stops sending
// halfway through the drain delay. 0 resets, 0 refused, every 200 found in the prediction
// trace after a restart on the same data dir.
import { keepAliveLoad, type Outcome } from '../../test/support/keep-alive-load.js';
import { GatewayHome, admin, auditVerify, predictV1, sleep, type ChaosOptions, type ScenarioResult } from '../harness.js';

const DRAIN_DELAY_MS = 2000;

export async function sigterm(opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const home = new GatewayHome();
  const env = { LOG_LEVEL: 'info', MODELGATE_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS) };
  const gw = await home.start(env);
  const failures: string[] = [];
  let lbRemovedAt = Number.POSITIVE_INFINITY;
  const load = keepAliveLoad({ url: gw.url, connections: 64, next: (i) => predictV1(i), stop: () => Date.now() >= lbRemovedAt, keepBodies: false });
  await sleep(opts.durationS * 1000);
  const sigtermAt = Date.now();
  const exit = gw.stop('SIGTERM');
  await sleep(100);
  const ready = await fetch(`${gw.url}/v2/health/ready`, { headers: { connection: 'close' } });
  lbRemovedAt = sigtermAt + DRAIN_DELAY_MS / 2;
  const outcomes: Outcome[] = await load;
  const exitCode = (await exit) ?? -1;
  const errors = outcomes.filter((o) => o.error);
  const counts: Record<string, number> = {
    requests: outcomes.length,
    ok200: outcomes.filter((o) => o.status === 200).length,
    non200: outcomes.filter((o) => !o.error && o.status !== 200).length,
    resets: errors.filter((o) => o.error === 'ECONNRESET' || /hang up/.test(o.error ?? '')).length,
    refused: errors.filter((o) => o.error === 'ECONNREFUSED').length,
    otherErrors: errors.filter((o) => !['ECONNRESET', 'ECONNREFUSED'].includes(o.error ?? '') && !/hang up/.test(o.error ?? '')).length,
    afterSigterm: outcomes.filter((o) => o.sentAt > sigtermAt).length,
    closeHeaders: outcomes.filter((o) => o.sentAt > sigtermAt + 20 && o.connection === 'close').length,
    readyDuringDrain: ready.status,
    exitCode,
  };
  if (ready.status !== 503) failures.push(`readiness during the drain: ${ready.status}`);
  if (counts.non200 || counts.resets || counts.refused || counts.otherErrors) failures.push(`lost requests: ${JSON.stringify(counts)}`);
  if (exitCode !== 0) failures.push(`gateway exited ${exitCode}`);
  if (!/shutdown complete/.test(gw.logs())) failures.push('no "shutdown complete" log line');

  // Every 200 in the trace: restart on the same data and look each request id up.
  const again = await home.start({});
  try {
    const answered = outcomes.filter((o) => o.status === 200).map((o) => o.id);
    let missing = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < answered.length) {
          const id = answered[next++];
          const res = await admin(again.url, `/admin/predictions/${id}`);
          await res.body?.cancel();
          if (res.status !== 200) missing++;
        }
      }),
    );
    counts.traced = answered.length - missing;
    counts.missingFromTrace = missing;
    if (missing) failures.push(`${missing} answered predictions missing from the trace`);
    counts.auditOk = await auditVerify(again.url, failures);
  } finally {
    await again.stop();
  }
  return { name: 'sigterm', counts, failures, seconds: (Date.now() - started) / 1000 };
}
