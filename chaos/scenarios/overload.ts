// (3) Overload at 3x capacity: beyond maxInFlight only 503 + Retry-After; RSS and log volume stay bounded.
import { keepAliveLoad } from '../../test/support/keep-alive-load.js';
import { GatewayHome, auditVerify, predictV1, rssMiB, sleep, type ChaosOptions, type ScenarioResult } from '../harness.js';

const MAX_IN_FLIGHT = 8;
/** Log bytes the whole overload may write (the defect: 126 MB in 30 s, one error line + stack per 503). */
const MAX_LOG_BYTES = 256 * 1024;
/**
 * Bounded memory: RSS must plateau (the second half's peak at most this above the first half's:
 * no steady growth) and stay under MAX_RSS_MIB (the defect: 347 MiB, growing with the log).
 */
const MAX_LATE_GROWTH_MIB = 48;
const MAX_RSS_MIB = 400;

export async function overload(opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  // Batching with a queue delay holds each prediction a few ms, so concurrency reaches the limit.
  const home = new GatewayHome({
    limits: { maxInFlight: MAX_IN_FLIGHT },
    cache: { enabled: false },
    models: { 'property-valuation': { batching: { enabled: true, maxBatchSize: 4, maxQueueDelayMicros: 3000 } } },
  });
  const gw = await home.start({ LOG_LEVEL: 'info' });
  const failures: string[] = [];
  const counts: Record<string, number> = {};
  try {
    await sleep(300);
    const rssIdle = rssMiB(gw.child.pid);
    const logBefore = gw.logs().length;
    const peaks = [rssIdle, rssIdle];
    const half = Date.now() + (opts.durationS * 1000) / 2;
    const sampler = setInterval(() => {
      const i = Date.now() < half ? 0 : 1;
      peaks[i] = Math.max(peaks[i] ?? 0, rssMiB(gw.child.pid));
    }, 200);
    const until = Date.now() + opts.durationS * 1000;
    const outcomes = await keepAliveLoad({ url: gw.url, connections: 3 * MAX_IN_FLIGHT, next: (i) => predictV1(i), stop: () => Date.now() > until, keepBodies: false });
    clearInterval(sampler);
    const logged = gw.logs().slice(logBefore);
    counts.requests = outcomes.length;
    counts.ok200 = outcomes.filter((o) => o.status === 200).length;
    counts.shed503 = outcomes.filter((o) => o.status === 503).length;
    counts.shedWithoutRetryAfter = outcomes.filter((o) => o.status === 503 && !o.retryAfter).length;
    counts.other = outcomes.filter((o) => o.status !== 200 && o.status !== 503).length;
    counts.rssIdleMiB = rssIdle;
    counts.rssPeakFirstHalfMiB = peaks[0] ?? 0;
    counts.rssPeakSecondHalfMiB = peaks[1] ?? 0;
    counts.logBytes = logged.length;
    counts.errorLogLines = logged.split('\n').filter((l) => /"level":(50|60)/.test(l)).length;
    counts.stacksLogged = (logged.match(/"stack"/g) ?? []).length;
    if (counts.shed503 === 0) failures.push('nothing was shed: not an overload');
    if (counts.ok200 === 0) failures.push('nothing was served');
    if (counts.other) failures.push(`${counts.other} answers other than 200/503`);
    if (counts.shedWithoutRetryAfter) failures.push(`${counts.shedWithoutRetryAfter} 503s without Retry-After`);
    if (counts.logBytes > MAX_LOG_BYTES) failures.push(`log volume ${counts.logBytes} B > ${MAX_LOG_BYTES}`);
    if (counts.errorLogLines || counts.stacksLogged) failures.push('expected outcomes logged as errors / with stacks');
    const [first = 0, second = 0] = peaks;
    if (second - first > MAX_LATE_GROWTH_MIB) failures.push(`RSS still growing: ${first} -> ${second} MiB`);
    if (Math.max(first, second) > MAX_RSS_MIB) failures.push(`RSS peaked at ${Math.max(first, second)} MiB > ${MAX_RSS_MIB}`);
    counts.auditOk = await auditVerify(gw.url, failures);
  } finally {
    counts.exitCode = (await gw.stop()) ?? -1;
  }
  return { name: 'overload-3x', counts, failures, seconds: (Date.now() - started) / 1000 };
}
