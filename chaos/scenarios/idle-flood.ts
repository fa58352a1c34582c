// Idle flood: 5,000 connections that send nothing, past maxConnections (4,096). New clients must be
// served all along (the defect: every new client reset for ~28 s while 4,096 idle sockets held the
// slots), the flood is closed oldest-idle first and counted, and the service keeps serving.
import { GatewayHome, HOUSE, MODEL, auditVerify, sleep, type ChaosOptions, type ScenarioResult } from '../harness.js';
import { counterBy, freshRequest, holdIdle } from './raw-clients.js';

const FLOOD = 5_000;
const MAX_CONNECTIONS = 4_096;

export async function idleFlood(opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  // The flood comes from one address (loopback): the per-client cap is off so the global cap is what is tested.
  // 10,000+ descriptors are needed here and in the gateway (`ulimit -n`; 20,000 on the CI machine).
  const home = new GatewayHome({ server: { maxConnections: MAX_CONNECTIONS, maxConnectionsPerClient: 0, headersTimeoutMs: 60_000 } });
  const gw = await home.start();
  const failures: string[] = [];
  const counts: Record<string, number> = {};
  const body = JSON.stringify({ instances: [HOUSE] });
  let flood: Awaited<ReturnType<typeof holdIdle>> | undefined;
  try {
    flood = await holdIdle(gw.url, FLOOD);
    counts.floodOpened = flood.sockets.length;
    counts.floodFailedToConnect = flood.failedToConnect;
    const outcomes: { status: number; error?: string }[] = [];
    const until = Date.now() + opts.durationS * 1000;
    while (Date.now() < until) {
      outcomes.push(...(await Promise.all(Array.from({ length: 8 }, () => freshRequest(gw.url, `/v1/models/${MODEL}/predict`, body)))));
      await sleep(20);
    }
    counts.newClients = outcomes.length;
    counts.newClientsOk = outcomes.filter((o) => o.status === 200).length;
    counts.newClientsFailed = outcomes.length - counts.newClientsOk;
    counts.floodClosedByServer = flood.closedByServer();
    for (const s of flood.sockets) s.destroy();
    await sleep(200);
    const closed = await counterBy(gw.url, 'modelgate_connections_closed_total', 'reason');
    counts.idleEvicted = closed.idle_evicted ?? 0;
    counts.refused = closed.refused ?? 0;
    counts.afterFloodOk = (await freshRequest(gw.url, `/v1/models/${MODEL}/predict`, body)).status === 200 ? 1 : 0;
    if (counts.floodOpened < MAX_CONNECTIONS) failures.push(`only ${counts.floodOpened} flood connections opened: not a flood`);
    if (counts.newClientsFailed) {
      failures.push(`${counts.newClientsFailed} of ${counts.newClients} new clients not served: ${JSON.stringify(outcomes.find((o) => o.status !== 200))}`);
    }
    if (counts.newClientsOk === 0) failures.push('no new client was served');
    if (counts.idleEvicted < counts.floodOpened - MAX_CONNECTIONS) failures.push(`idle connections evicted ${counts.idleEvicted}, expected at least ${counts.floodOpened - MAX_CONNECTIONS}`);
    if (!counts.afterFloodOk) failures.push('not serving after the flood');
    counts.auditOk = await auditVerify(gw.url, failures);
  } finally {
    for (const s of flood?.sockets ?? []) s.destroy();
    counts.exitCode = (await gw.stop()) ?? -1;
  }
  if (counts.exitCode !== 0) failures.push(`exit code ${counts.exitCode} after SIGTERM`);
  return { name: 'idle-flood', counts, failures, seconds: (Date.now() - started) / 1000 };
}
