// The batching sweep's recommendation for mlp-heavy, confirmed by `npm run bench`: the setting
// `modelgate perf --sweep-batching --p99-budget 20ms` recommends, run by the bench's own load
// generator against batching off at the same connections, back to back. The ratio must clear the
// sweep's own margin (batching recommended only when it beats no batching by 15 %) and the
// recommended setting's p99 must stay within the budget the sweep was given.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SweepResult } from '../src/perf/batching-sweep.js';
import type { Pair, Scenario } from './report.js';
import { HEAVY_BODY } from './workload.js';

interface ServerDefLike {
  argv: (port: number, grpcPort?: number) => string[];
  env?: (port: number, grpcPort?: number) => NodeJS.ProcessEnv;
  ready: string;
}

/**
 * What `modelgate perf --model mlp-heavy --sweep-batching --p99-budget 20ms --concurrency 4:32:x2`
 * recommended on the 2-core VM (stop 24: 1,942 req/s at p99 18.8 ms, 16 connections). A sweep's
 * own JSON (`--json FILE`) replaces it: `npm run bench -- --only=heavy-c16,heavy-recommended --sweep=FILE`.
 */
const DEFAULT = { batching: { enabled: true, maxBatchSize: 64, maxQueueDelayMicros: 500 }, connections: 16, p99BudgetMs: 20, source: 'the committed recommendation' };

function recommendation(file: string | undefined): typeof DEFAULT {
  if (!file) return DEFAULT;
  const sweep = JSON.parse(readFileSync(file, 'utf8')) as SweepResult;
  const rec = sweep.recommended;
  if (sweep.model !== 'mlp-heavy' || !rec?.best || !rec.batching.enabled) {
    throw new Error(`--sweep=${file}: not a sweep of mlp-heavy that recommends batching (model ${sweep.model}, recommended ${JSON.stringify(rec?.batching ?? null)})`);
  }
  const connections = Number(/(\d+)/.exec(rec.best.label)?.[1] ?? DEFAULT.connections);
  return { batching: rec.batching, connections, p99BudgetMs: sweep.p99BudgetMs, source: file };
}

/** `gateway(config, env)` is run.ts's gateway server definition; `sweepFile` the --sweep= option. */
export function heavySweepRows(opts: { root: string; scratch: string; reps: number; sweepFile: string | undefined; gateway: (config: string, extraEnv?: NodeJS.ProcessEnv) => ServerDefLike }) {
  const rec = recommendation(opts.sweepFile);
  const b = rec.batching;
  const setting = `${b.maxBatchSize} rows / ${b.maxQueueDelayMicros} µs`;
  // The per-request config with mlp-heavy's batching replaced by the recommendation.
  const base = JSON.parse(readFileSync(join(opts.root, 'bench', 'configs', 'uncached.json'), 'utf8')) as { models: Record<string, Record<string, unknown>> };
  base.models['mlp-heavy'] = { ...base.models['mlp-heavy'], batching: b };
  const config = join(opts.scratch, 'heavy-recommended.json');
  writeFileSync(config, JSON.stringify(base, null, 2));
  const path = '/v2/models/mlp-heavy/infer';
  const c = rec.connections;
  return {
    servers: {
      'heavy-recommended': opts.gateway('uncached', { MODELGATE_CONFIG: config }),
    } as Record<string, ServerDefLike>,
    loads: [
      { id: 'heavy-c16', label: `gateway mlp-heavy per request (worker), the sweep's connections`, server: 'heavy', path, body: HEAVY_BODY, connections: c },
      { id: 'heavy-recommended', label: `gateway mlp-heavy, the sweep's recommendation (${setting})`, server: 'heavy-recommended', path, body: HEAVY_BODY, connections: c },
    ],
    group: { id: 'heavy-recommended', loads: ['heavy-c16', 'heavy-recommended'], reps: opts.reps },
    pairs: [
      { name: `mlp-heavy, the sweep's recommendation (${setting}) / per request, ${c} conns (req/s)`, a: 'heavy-recommended', b: 'heavy-c16', metric: 'rps', goal: '>= 1.15', ok: (x: number) => x >= 1.15 },
    ] as Pair[],
    /** The p99 half of the confirmation: the recommended setting's median p99 against the sweep's budget. */
    note(scenarios: Map<string, Scenario>): string {
      const runs = scenarios.get('heavy-recommended')?.runs ?? [];
      if (runs.length === 0) return '';
      const p99s = runs.map((r) => r.p99).sort((x, y) => x - y);
      const median = p99s[p99s.length >> 1] as number;
      const verdict = median <= rec.p99BudgetMs ? 'within' : 'OVER';
      return `mlp-heavy sweep recommendation (${setting}, from ${rec.source}): median p99 ${median} ms at ${c} connections, ${verdict} the sweep's budget of ${rec.p99BudgetMs} ms (each run: ${runs.map((r) => r.p99).join(', ')} ms)\n`;
    },
  };
}
