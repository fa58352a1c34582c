import type { TraceRecord } from '../audit/trace-codec.js';
import type { RegistryStore, StageTransition } from './registry-store.js';

export interface PredictionExplanation extends TraceRecord {
  /** Why this version answered, in words. */
  why: string;
  /** The version as registered: lineage and artifact. */
  lineage: {
    stageNow: string;
    dataVersion: string | null;
    trainingDataHash: string | null;
    parentVersion: string | null;
    artifactSha256: string;
    learner: string | null;
    registeredBy: string;
    registeredAt: string;
  } | null;
  /** Who put the version into the stage it had when it answered, and after which checks. */
  promotion: {
    stage: string;
    by: string;
    at: string;
    reason: string | null;
    overrides: string[];
    gate: { id: number; passed: boolean; baseline: string | null; comparison: string; ranBy: string; at: string } | null;
  } | null;
}

/** Route label -> a sentence. */
export function describeRoute(route: string, pin: string | null, stage: string | null): string {
  if (route === 'pinned') return `the request pinned the version (${pin ?? 'explicit version'})`;
  if (route.startsWith('flag:')) return `the model's flag chose variant '${route.slice(5)}'`;
  if (route.startsWith('fallback:')) {
    const reason = route.slice(9);
    return `no flag decided (${reason}): the stable version answered${stage === 'production' ? ', the registry production version' : ''}`;
  }
  return route;
}

/** A traced prediction joined with the registry: which version, why, who promoted it and after which gate. */
export async function explainPrediction(trace: TraceRecord, store: RegistryStore): Promise<PredictionExplanation> {
  const record = await store.get(trace.model, trace.version);
  const stage = trace.stage ?? null;
  const transition: StageTransition | undefined =
    stage && stage !== 'none' ? await store.lastTransitionTo(trace.model, trace.version, stage as 'production' | 'staging', trace.at) : undefined;
  const gate = transition?.gateId ? await store.gateResult(transition.gateId) : undefined;
  return {
    ...trace,
    why: describeRoute(trace.route, trace.pin, stage),
    lineage: record
      ? {
          stageNow: record.stage,
          dataVersion: record.dataVersion,
          trainingDataHash: record.trainingDataHash,
          parentVersion: record.parentVersion,
          artifactSha256: record.artifactSha256,
          learner: record.manifest.lineage.learner ?? null,
          registeredBy: record.registeredBy,
          registeredAt: record.registeredAt,
        }
      : null,
    promotion: transition
      ? {
          stage: transition.to,
          by: transition.actor,
          at: transition.at,
          reason: transition.reason,
          overrides: transition.overrides,
          gate: gate
            ? { id: gate.id, passed: gate.passed, baseline: gate.baselineVersion, comparison: gate.result.comparison, ranBy: gate.actor, at: gate.at }
            : null,
        }
      : null,
  };
}
