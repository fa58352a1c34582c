// (9) Brute force on the admin API: 5,000 wrong bearer tokens from one address. Past the
// throttle's threshold the address gets 429 + Retry-After instead of 401; the right token from the
// same address still works; refusals are counted, and logged in a few lines, not one per attempt.
import { keepAliveLoad } from '../../test/support/keep-alive-load.js';
import { ADMIN_TOKEN, GatewayHome, MODEL, type ChaosOptions, type ScenarioResult } from '../harness.js';

const ATTEMPTS = 5000;

export async function authBruteForce(_opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const failures: string[] = [];
  const gw = await new GatewayHome().start({ LOG_LEVEL: 'info' });
  try {
    let sent = 0;
    const outcomes = await keepAliveLoad({
      url: gw.url,
      connections: 32,
      next: (i) => ({ method: 'GET', path: `/admin/models/${MODEL}/routing`, headers: { authorization: `Bearer guess-${i}-${'x'.repeat(32)}` } }),
      stop: () => sent++ >= ATTEMPTS,
      keepBodies: false,
    });
    const right = await fetch(`${gw.url}/admin/models/${MODEL}/routing`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    await right.body?.cancel();
    const after = await fetch(`${gw.url}/admin/models/${MODEL}/routing`, { headers: { authorization: 'Bearer still-guessing' } });
    await after.body?.cancel();
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const throttledMetric = Number(/modelgate_auth_failures_total\{result="throttled"\} (\d+)/.exec(metrics)?.[1] ?? 0);
    const s401 = outcomes.filter((o) => o.status === 401).length;
    const warnLines = gw.logs().split('\n').filter((l) => /too many invalid bearer tokens/.test(l)).length;
    const counts: Record<string, number> = {
      attempts: outcomes.length,
      s401,
      s429: outcomes.filter((o) => o.status === 429).length,
      s429WithRetryAfter: outcomes.filter((o) => o.status === 429 && Number(o.retryAfter) > 0).length,
      other: outcomes.filter((o) => o.status !== 401 && o.status !== 429).length,
      rightToken: right.status,
      wrongAfter: after.status,
      throttledMetric,
      warnLines,
    };
    if (counts.s429 === 0 || counts.s429 !== counts.s429WithRetryAfter) failures.push('no 429 + Retry-After after the threshold');
    if (s401 > 20) failures.push(`${s401} attempts got 401: the throttle did not hold`);
    if (counts.other) failures.push(`${counts.other} answers were neither 401 nor 429`);
    if (right.status !== 200) failures.push(`the right token got ${right.status}`);
    if (after.status !== 429) failures.push(`a wrong token after the run got ${after.status}, not 429`);
    if (warnLines > 5) failures.push(`${warnLines} warn lines: the log is not rate-limited`);
    return { name: 'auth-brute-force', counts, failures, seconds: (Date.now() - started) / 1000 };
  } finally {
    await gw.stop();
  }
}
