import { inputCapture, PredictionTrace } from './audit/prediction-trace.js';
import { PgTraceLog } from './audit/pg-trace-log.js';
import type { TraceFiles } from './audit/trace-files.js';
import { TraceLog } from './audit/trace-log.js';
import { traceDirOf, type RegistrySettings } from './config/registry-schema.js';
import type { BackgroundTasks } from './logging/background-tasks.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics/gateway-metrics.js';
import { Governance, type GovernanceOptions } from './registry/governance.js';
import type { SqlEngine } from './registry/sql-engine.js';
import type { RollbackOverrides } from './routing/rollback-overrides.js';
import { servableRunners } from './runtime/servable-runner.js';
import type { Stage } from './contracts/stages.js';

export interface GovernanceWiring extends Omit<GovernanceOptions, 'trace' | 'onRollbacks' | 'openRunner'> {
  /** The rollback view routing reads; refreshed from the registry's store with the stages. */
  overrides: RollbackOverrides;
  /** The file trace's file system (tests: a disk that fills up on cue). */
  traceFiles?: TraceFiles;
}

/**
 * The registry wired into a gateway (composition root): the prediction trace on the registry's
 * engine (PostgreSQL table, else the binary log beside the database), routing's rollback view
 * fed from the store, and the validation gate's runners on the gateway's session options. Governance itself only takes the callbacks.
 */
export function buildGovernance(w: GovernanceWiring): Governance {
  const { overrides, traceFiles, ...opts } = w;
  return new Governance({
    ...opts,
    openRunner: servableRunners(w.session),
    onRollbacks: (active) => overrides.replaceAll(active),
    trace: (engine, stageOf) => traceFor(w.settings, engine, stageOf, { logger: w.logger, metrics: w.metrics, background: w.background, files: traceFiles }),
  });
}

interface TraceParts {
  logger: Logger;
  metrics: GatewayMetrics;
  background: BackgroundTasks;
  files: TraceFiles | undefined;
}

type StageOf = (model: string, version: string) => Stage | undefined;

function traceFor(settings: RegistrySettings, engine: SqlEngine, stageOf: StageOf, p: TraceParts): PredictionTrace | undefined {
  const trace = settings.trace;
  if (!trace.enabled) return undefined;
  const records = p.metrics.traceRecords;
  const log =
    engine.kind === 'postgres'
      ? new PgTraceLog({ db: engine, settings: trace, records, logger: p.logger, every: (t, ms, tick) => p.background.every(t, ms, tick) })
      : new TraceLog({ dir: traceDirOf(settings), settings: trace, records, logger: p.logger, background: p.background, degraded: p.metrics.traceDegraded, files: p.files });
  const capture = trace.captureInputs.enabled ? inputCapture(trace.captureInputs.maxBytes, p.metrics.traceInputs) : undefined;
  return new PredictionTrace(log, trace.maxOutputBytes, stageOf, capture);
}
