import type { Registry } from 'prom-client';
import { GatewayError, badRequest, conflict, notFound } from '../errors/index.js';
import { SlotCounter, type CounterSlot } from '../metrics/slots.js';
import type { LiveQuality } from './live-quality.js';
import type { RecentPrediction, RecentPredictions } from './recent-predictions.js';

/** Ground truth for one answered request: a number per row (regression) or a class index per row. */
export interface Feedback {
  requestId: string;
  value: number | number[];
}

export type FeedbackStatus = 'accepted' | 'duplicate' | 'unknown' | 'late' | 'invalid';

export interface FeedbackResult {
  request_id: string;
  status: FeedbackStatus;
  model?: string;
  version?: string;
  message?: string;
}

export interface FeedbackServiceOptions {
  recent: RecentPredictions;
  quality: LiveQuality;
  /** Predictions older than this are refused as late (their version may be long gone). */
  maxAgeMs: number;
  /** How many labelled request ids are remembered to refuse duplicates. */
  dedupCapacity: number;
  /** The trace, for ids the recent index no longer holds. */
  findTrace?: (requestId: string) => Promise<RecentPrediction | undefined>;
  registry: Registry;
  now?: () => number;
}

const LOG_FLOOR = 1e-15;

/**
 * Joins ground truth to the prediction it judges (recent index first, then the trace) and adds it
 * to the answering version's live quality. Every id is answered once: a second label for the same
 * id is a duplicate, an id never answered is unknown, one older than maxAgeMs is late.
 */
export class FeedbackService {
  private readonly labelled = new Set<string>();
  private readonly counts: Record<FeedbackStatus, CounterSlot>;
  private readonly now: () => number;

  constructor(private readonly opts: FeedbackServiceOptions) {
    this.now = opts.now ?? Date.now;
    const c = new SlotCounter<'result'>({
      name: 'modelgate_feedback_total', help: 'Ground-truth feedback by result (accepted, duplicate, unknown, late, invalid).',
      labelNames: ['result'], registers: [opts.registry],
    });
    this.counts = {
      accepted: c.labels({ result: 'accepted' }), duplicate: c.labels({ result: 'duplicate' }), unknown: c.labels({ result: 'unknown' }),
      late: c.labels({ result: 'late' }), invalid: c.labels({ result: 'invalid' }),
    };
  }

  /** One label; a refusal is a GatewayError (404 unknown, 409 duplicate, 410 late, 400 invalid). */
  async submit(f: Feedback): Promise<FeedbackResult> {
    const r = await this.judge(f);
    if (r.status === 'accepted') return r;
    const msg = r.message ?? r.status;
    if (r.status === 'unknown') throw notFound(msg);
    if (r.status === 'duplicate') throw conflict(msg, { request_id: f.requestId });
    if (r.status === 'late') throw new GatewayError('gone', 410, msg, { details: { request_id: f.requestId } });
    throw badRequest(msg, { request_id: f.requestId });
  }

  /** Many labels; each gets its own status, none fails the others. */
  async submitMany(items: Feedback[]): Promise<FeedbackResult[]> {
    const out: FeedbackResult[] = [];
    for (const f of items) out.push(await this.judge(f));
    return out;
  }

  private async judge(f: Feedback): Promise<FeedbackResult> {
    const id = f.requestId;
    const done = (status: FeedbackStatus, p?: RecentPrediction, message?: string): FeedbackResult => {
      this.counts[status].inc();
      return { request_id: id, status, ...(p ? { model: p.model, version: p.version } : {}), ...(message ? { message } : {}) };
    };
    if (this.labelled.has(id)) return done('duplicate', undefined, `request ${id} already has ground truth`);
    const p = this.opts.recent.get(id) ?? (await this.opts.findTrace?.(id));
    if (!p) return done('unknown', undefined, `no prediction with request id ${id} is known`);
    if (this.now() - p.atMs > this.opts.maxAgeMs) return done('late', p, `request ${id} was answered more than ${this.opts.maxAgeMs} ms ago`);
    const truth = Array.isArray(f.value) ? f.value : [f.value];
    const problem = this.add(p, truth);
    if (problem) return done('invalid', p, problem);
    this.remember(id);
    return done('accepted', p);
  }

  /** Add the label to the version's sums; returns why it cannot be used, if so. */
  private add(p: RecentPrediction, truth: number[]): string | undefined {
    if (!truth.every(Number.isFinite)) return 'value must be a finite number or an array of them';
    const sums = this.opts.quality.of(p.model, p.version, p.task);
    if (p.task === 'classification') {
      const [label] = truth;
      if (truth.length !== 1 || label === undefined || !Number.isInteger(label) || label < 0) return 'a classification label is one class index';
      const probs = probabilities(p.values);
      if (label >= Math.max(2, probs.length)) return `class ${label} is not among the model's ${Math.max(2, probs.length)} classes`;
      const pTrue = probs.length === 1 ? (label === 1 ? probs[0] : 1 - (probs[0] as number)) : probs[label];
      const predicted = probs.length === 1 ? ((probs[0] as number) >= 0.5 ? 1 : 0) : probs.indexOf(Math.max(...probs));
      sums.addLabel(predicted === label, -Math.log(Math.max(LOG_FLOOR, pTrue ?? 0)));
      return undefined;
    }
    if (p.task !== 'regression') return `model ${p.model} is neither regression nor classification: no live quality`;
    if (truth.length !== p.values.length) return `the prediction has ${p.values.length} rows, the feedback ${truth.length} values`;
    truth.forEach((t, i) => sums.addError((p.values[i] as number) - t));
    return undefined;
  }

  private remember(id: string): void {
    if (this.labelled.size >= this.opts.dedupCapacity) {
      const oldest = this.labelled.values().next();
      if (!oldest.done) this.labelled.delete(oldest.value);
    }
    this.labelled.add(id);
  }
}

/** Scores as probabilities: kept when they already are, else a softmax (logits). */
function probabilities(scores: number[]): number[] {
  const sum = scores.reduce((a, b) => a + b, 0);
  if (scores.length <= 1 || (scores.every((s) => s >= 0 && s <= 1) && Math.abs(sum - 1) < 1e-3)) return scores;
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}
