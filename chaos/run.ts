// `npm run chaos [-- --duration=60] [--only=fuzz,sigterm]`: every scenario against real gateway
// processes on 127.0.0.1, a table of counts, exit 1 on any loss. CI runs it with short durations.
import { parseArgs } from 'node:util';
import type { ChaosOptions, ScenarioResult } from './harness.js';
import { corruptArtifact } from './scenarios/corrupt-artifact.js';
import { diskFull } from './scenarios/disk-full.js';
import { flagServerLost } from './scenarios/flag-server-lost.js';
import { fuzz } from './scenarios/fuzz.js';
import { hotSwap } from './scenarios/hot-swap.js';
import { idleFlood } from './scenarios/idle-flood.js';
import { overload } from './scenarios/overload.js';
import { sigkill } from './scenarios/sigkill.js';
import { sigterm } from './scenarios/sigterm.js';
import { pgOutage } from './scenarios/pg-outage.js';
import { authBruteForce } from './scenarios/auth-brute-force.js';
import { slowReaders } from './scenarios/slow-readers.js';

const SCENARIOS: Record<string, (o: ChaosOptions) => Promise<ScenarioResult>> = {
  'hot-swap': hotSwap,
  sigterm,
  'overload-3x': overload,
  fuzz,
  'flag-server-lost': flagServerLost,
  'corrupt-artifact': corruptArtifact,
  'disk-full': diskFull,
  sigkill,
  'pg-outage': pgOutage,
  'auth-brute-force': authBruteForce,
  'idle-flood': idleFlood,
  'slow-readers': slowReaders,
};

const { values } = parseArgs({ options: { duration: { type: 'string', default: '5' }, only: { type: 'string' } }, strict: true });
const durationS = Number(values.duration);
if (!Number.isFinite(durationS) || durationS <= 0) {
  process.stderr.write('usage: npm run chaos -- [--duration=<seconds per load scenario>] [--only=<a,b>]\n');
  process.exit(2);
}
const only = values.only?.split(',');
const results: ScenarioResult[] = [];
for (const [name, run] of Object.entries(SCENARIOS)) {
  if (only && !only.includes(name)) continue;
  process.stdout.write(`== ${name} (${durationS} s)\n`);
  try {
    results.push(await run({ durationS }));
  } catch (err) {
    results.push({ name, counts: {}, failures: [`crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`], seconds: 0 });
  }
  const r = results.at(-1);
  if (r) process.stdout.write(`   ${r.failures.length ? 'FAIL' : 'ok'} in ${r.seconds.toFixed(1)} s: ${JSON.stringify(r.counts)}\n`);
}

process.stdout.write(`\n| scenario | result | s | counts |\n|---|---|---|---|\n`);
for (const r of results) {
  const counts = Object.entries(r.counts).map(([k, v]) => `${k}=${v}`).join(' ');
  process.stdout.write(`| ${r.name} | ${r.failures.length ? 'FAIL' : 'ok'} | ${r.seconds.toFixed(0)} | ${counts} |\n`);
}
const failed = results.filter((r) => r.failures.length);
for (const r of failed) for (const f of r.failures) process.stdout.write(`FAIL ${r.name}: ${f}\n`);
process.exit(failed.length ? 1 : 0);
