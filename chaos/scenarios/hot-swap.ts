// (1) Hot swap under load: flag edits (broken files among them), unload/load of the canary,
// a reload of the serving stable version, rollback set/clear; unpinned traffic sees 0 non-2xx.
import { readFileSync, writeFileSync } from 'node:fs';
import { keepAliveLoad } from '../../test/support/keep-alive-load.js';
import { GatewayHome, MODEL, admin, auditVerify, predictV1, sleep, type ChaosOptions, type ScenarioResult } from '../harness.js';

export async function hotSwap(opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const home = new GatewayHome();
  const gw = await home.start({});
  const failures: string[] = [];
  const counts: Record<string, number> = { flagEdits: 0, brokenFlagEdits: 0, unloads: 0, loads: 0, reloads: 0, rollbacks: 0, actionErrors: 0 };
  const good = readFileSync(home.flagsFile, 'utf8');
  const withCanary = (weight: number) => good.replace('"weight": 900', `"weight": ${1000 - weight}`).replace('"weight": 100,', `"weight": ${weight},`);
  const until = Date.now() + opts.durationS * 1000;
  try {
    const load = keepAliveLoad({ url: gw.url, connections: 8, next: (i) => predictV1(i), stop: () => Date.now() > until, keepBodies: false });
    const act = async (what: keyof typeof counts, path: string, method = 'POST') => {
      const res = await admin(gw.url, path, { method, body: method === 'POST' ? '{}' : undefined });
      await res.body?.cancel();
      if (res.status === 200) counts[what] = (counts[what] ?? 0) + 1;
      else {
        counts.actionErrors = (counts.actionErrors ?? 0) + 1;
        failures.push(`${method} ${path}: ${res.status}`);
      }
    };
    const edit = (text: string, what: 'flagEdits' | 'brokenFlagEdits') => {
      writeFileSync(home.flagsFile, text);
      counts[what] = (counts[what] ?? 0) + 1;
    };
    const steps: (() => Promise<void>)[] = [
      async () => edit(withCanary(500), 'flagEdits'),
      async () => edit('{"version": 2, "features": [{"name": ', 'brokenFlagEdits'),
      () => act('unloads', `/v2/repository/models/${MODEL}/unload?version=1.1.0`),
      async () => edit(withCanary(1000), 'flagEdits'),
      () => act('loads', `/v2/repository/models/${MODEL}/load?version=1.1.0`),
      () => act('rollbacks', `/admin/models/${MODEL}/rollback`),
      () => act('reloads', `/v2/repository/models/${MODEL}/load?version=1.0.0`),
      () => act('rollbacks', `/admin/models/${MODEL}/rollback`, 'DELETE'),
      async () => edit('\u0000 not json', 'brokenFlagEdits'),
      async () => edit(good, 'flagEdits'),
    ];
    for (let s = 0; Date.now() < until - 200; s++) {
      await steps[s % steps.length]?.();
      await sleep(150);
    }
    writeFileSync(home.flagsFile, good);
    const outcomes = await load;
    const non2xx = outcomes.filter((o) => o.status < 200 || o.status > 299);
    counts.requests = outcomes.length;
    counts.non2xx = non2xx.length;
    counts.connErrors = outcomes.filter((o) => o.error).length;
    for (const o of non2xx.slice(0, 3)) failures.push(`unpinned request answered ${o.status} ${o.error ?? ''}`);
    counts.versionsSeen = new Set(outcomes.map((o) => o.status)).size;
    counts.auditOk = await auditVerify(gw.url, failures);
  } finally {
    counts.exitCode = (await gw.stop()) ?? -1;
  }
  if (counts.exitCode !== 0) failures.push(`gateway exited ${counts.exitCode}`);
  delete counts.versionsSeen;
  return { name: 'hot-swap', counts, failures, seconds: (Date.now() - started) / 1000 };
}
