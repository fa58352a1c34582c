// Slow readers: 200 clients send pipelined predictions and never read the answers. The gateway's
// memory stays bounded (each connection holds at most maxBufferedBytesPerConnection unsent before it
// is closed and counted) and comes back near its baseline once they leave; other clients are served.
// The defect: RSS 140 -> 767 MB over 45 s, still 406 MB after the clients left.
import { connect, type Socket } from 'node:net';
import { GatewayHome, HOUSE, MODEL, auditVerify, rssMiB, sleep, type ChaosOptions, type ScenarioResult } from '../harness.js';
import { counterBy, freshRequest } from './raw-clients.js';

const CLIENTS = 200;
const PIPELINED = 20;
const INSTANCES = 64;
/** Peak RSS above the baseline while they hold their connections. */
const MAX_GROWTH_MIB = 256;
/** RSS above the baseline a few seconds after they left. */
const MAX_RESIDUE_MIB = 128;

export async function slowReaders(opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const home = new GatewayHome({ cache: { enabled: false }, server: { maxConnectionsPerClient: 0 } });
  const gw = await home.start();
  const failures: string[] = [];
  const counts: Record<string, number> = {};
  const body = JSON.stringify({ instances: Array.from({ length: INSTANCES }, (_, i) => ({ ...HOUSE, sqft: 900 + i })) });
  const path = `/v1/models/${MODEL}/predict`;
  const one = `POST ${path} HTTP/1.1\r\nhost: chaos\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const clients: Socket[] = [];
  try {
    await freshRequest(gw.url, path, body);
    await sleep(300);
    counts.rssBaselineMiB = rssMiB(gw.child.pid);
    let peak = counts.rssBaselineMiB;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(gw.child.pid))), 200);
    const { port } = new URL(gw.url);
    for (let i = 0; i < CLIENTS; i++) {
      const s = connect(Number(port), '127.0.0.1');
      s.on('error', () => {});
      s.once('connect', () => {
        s.pause(); // never reads
        s.write(one.repeat(PIPELINED));
      });
      clients.push(s);
    }
    const others: { status: number }[] = [];
    const until = Date.now() + opts.durationS * 1000;
    while (Date.now() < until) {
      others.push(await freshRequest(gw.url, path, JSON.stringify({ instances: [HOUSE] })));
      await sleep(100);
    }
    clearInterval(sampler);
    counts.rssPeakMiB = peak;
    counts.othersOk = others.filter((o) => o.status === 200).length;
    counts.othersFailed = others.length - counts.othersOk;
    counts.slowReadersClosed = (await counterBy(gw.url, 'modelgate_connections_closed_total', 'reason')).slow_reader ?? 0;
    for (const s of clients) s.destroy();
    await sleep(3000);
    counts.rssAfterMiB = rssMiB(gw.child.pid);
    if (counts.othersFailed) failures.push(`${counts.othersFailed} other clients not served`);
    if (counts.othersOk === 0) failures.push('no other client was served');
    if (peak - counts.rssBaselineMiB > MAX_GROWTH_MIB) failures.push(`RSS grew ${counts.rssBaselineMiB} -> ${peak} MiB (bound: +${MAX_GROWTH_MIB})`);
    if (counts.rssAfterMiB - counts.rssBaselineMiB > MAX_RESIDUE_MIB) failures.push(`RSS ${counts.rssAfterMiB} MiB after they left, baseline ${counts.rssBaselineMiB} (bound: +${MAX_RESIDUE_MIB})`);
    counts.afterOk = (await freshRequest(gw.url, path, body)).status === 200 ? 1 : 0;
    if (!counts.afterOk) failures.push('not serving after the slow readers left');
    counts.auditOk = await auditVerify(gw.url, failures);
  } finally {
    for (const s of clients) s.destroy();
    counts.exitCode = (await gw.stop()) ?? -1;
  }
  if (counts.exitCode !== 0) failures.push(`exit code ${counts.exitCode} after SIGTERM`);
  return { name: 'slow-readers', counts, failures, seconds: (Date.now() - started) / 1000 };
}
