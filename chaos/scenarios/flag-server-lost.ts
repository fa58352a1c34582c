// (5) The flag server is lost mid-traffic: a real Unleash (scripts/services/unleash.sh) behind a
// TCP proxy that this scenario kills and later restores (the shared Unleash itself is never
// stopped). 0 errors; routing keeps the last known flags throughout.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { freePort } from '../../test/support/server-process.js';
import { keepAliveLoad } from '../../test/support/keep-alive-load.js';
import { UnleashAdmin, readUnleashEnv } from '../../test/support/unleash-admin.js';
import { GatewayHome, MODEL, auditVerify, predictV1, sleep, type ChaosOptions, type ScenarioResult } from '../harness.js';

/** A TCP proxy to the Unleash server that can be cut (listener closed, every socket destroyed). */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  constructor(readonly port: number, private readonly target: URL) {}

  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', () => resolve()));
  }

  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

export async function flagServerLost(opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const env = readUnleashEnv();
  // The shared server may be restarting (other suites stop/start it): wait for it, never restart it.
  const deadline = Date.now() + 120_000;
  while (!(await fetch(`${env.adminUrl}/health`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error(`no Unleash at ${env.adminUrl} (scripts/services/unleash.sh start)`);
    await sleep(1000);
  }
  const unleash = UnleashAdmin.fromEnv(env);
  const flag = `chaos-${process.pid}-${Date.now()}`;
  // The flag sends everyone to 1.1.0: any answer from another version means the flags were lost.
  await unleash.createFlag(flag);
  await unleash.addFlexibleRollout(flag, {
    rollout: 100,
    groupId: flag,
    stickiness: 'default',
    variants: [{ name: 'canary', weight: 1000, stickiness: 'default', weightType: 'variable', payload: { type: 'string', value: '1.1.0' } }],
  });
  await unleash.enable(flag);
  const target = new URL(env.url);
  const proxy = new CuttableProxy(await freePort(), target);
  await proxy.up();
  const home = new GatewayHome({ models: { [MODEL]: { flag } } });
  const gw = await home.start({
    UNLEASH_URL: `http://127.0.0.1:${proxy.port}${target.pathname}`,
    UNLEASH_API_TOKEN: env.apiToken,
    UNLEASH_REFRESH_INTERVAL_MS: '200',
  });
  const failures: string[] = [];
  const counts: Record<string, number> = {};
  try {
    await sleep(1000); // a few polls: the flag is known
    const phase = { now: 'before' as 'before' | 'lost' | 'restored' };
    const byPhase: Record<string, number> = { before: 0, lost: 0, restored: 0 };
    let wrongVersion = 0;
    const third = (opts.durationS * 1000) / 3;
    const until = Date.now() + 3 * third;
    const load = keepAliveLoad({
      url: gw.url,
      connections: 4,
      next: (i) => predictV1(i),
      stop: () => Date.now() > until,
      onOutcome: (o) => {
        byPhase[phase.now] = (byPhase[phase.now] ?? 0) + 1;
        if (o.status === 200 && !o.body.includes('"version":"1.1.0"')) wrongVersion++;
      },
    });
    await sleep(third);
    phase.now = 'lost';
    await proxy.cut();
    await sleep(third);
    phase.now = 'restored';
    await proxy.up();
    const outcomes = await load;
    counts.requests = outcomes.length;
    counts.beforeLoss = byPhase.before ?? 0;
    counts.whileLost = byPhase.lost ?? 0;
    counts.afterRestore = byPhase.restored ?? 0;
    counts.errors = outcomes.filter((o) => o.status !== 200).length;
    counts.notLastKnownFlag = wrongVersion;
    if (counts.errors) failures.push(`${counts.errors} failed requests`);
    if (wrongVersion) failures.push(`${wrongVersion} answers not routed by the last known flag`);
    if (!counts.whileLost) failures.push('no traffic while the flag server was lost');
    counts.alive = gw.child.exitCode === null ? 1 : 0;
    counts.auditOk = await auditVerify(gw.url, failures);
  } finally {
    counts.exitCode = (await gw.stop()) ?? -1;
    await proxy.cut();
    await unleash.disable(flag).catch(() => undefined);
    await unleash.deleteFlag(flag).catch(() => undefined);
  }
  if (counts.exitCode !== 0) failures.push(`gateway exited ${counts.exitCode}`);
  return { name: 'flag-server-lost', counts, failures, seconds: (Date.now() - started) / 1000 };
}
