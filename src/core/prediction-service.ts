import { isLive, type CachedPrediction, type InferenceExecutor } from '../contracts/executor.js';
import type {
  CacheResult, ObservedPrediction, ParsedRequest, PredictAnswer, PredictCall, PredictionObserver, ProtocolName,
} from '../contracts/prediction.js';
import type { TraceSpan } from '../contracts/tracing.js';
import { overloaded } from '../errors/index.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { CounterSlot } from '../metrics/slots.js';
import type { LoadedVersion } from '../contracts/loaded-version.js';
import { ortErrorToGatewayError } from '../contracts/run-failure.js';
import type { TensorMap } from '../contracts/tensor.js';
import { withParameters } from '../routing/request-context.js';
import type { RouteDecision, VersionResolver } from '../routing/types.js';
import { encodeInstances } from './feature-encoder.js';
import { checkOutputSelection, encodeRequestTensors } from './input-validation.js';
import { MEMO_MAX_BODY, RequestMemo, type MemoEntry } from './request-memo.js';
import { tracedResolve } from './traced-routing.js';

export interface PredictionServiceOptions {
  resolver: VersionResolver;
  executor: InferenceExecutor;
  metrics: GatewayMetrics;
  maxBatchInstances: number;
  maxInFlight: number;
  /** Whether a model's predictions are cached: only those bodies are memoised. */
  cacheEnabled?: (model: string) => boolean;
  /** Counts a hit the memo found (the cache's own hits are counted by the cache). */
  countHit?: (model: string) => void;
  observers?: PredictionObserver[];
  /** A model's flag name, for traced routing spans (default: the model's name). */
  flagOf?: (model: string) => string;
}

/** A version's prediction outcomes over one protocol. */
interface OutcomeSlots {
  success: CounterSlot;
  error: CounterSlot;
}

/** Metric slots of one loaded version, found once (a WeakMap lookup) per request. */
interface VersionSlots {
  /** By protocol name (a property lookup: no key string built per request). */
  outcomes: Partial<Record<ProtocolName, OutcomeSlots>>;
  /** kind -> reason -> slot (nested: no key string built per request). */
  decisions: Map<string, Map<string, CounterSlot>>;
}

/**
 * The data plane: one prediction from a protocol-neutral call to response bytes stamped with
 * the version that ran. Parse (or recall a body seen before) -> route -> validate against that
 * version -> execute (cache, batching, runner) -> render. A body seen before whose answer is
 * still cached completes synchronously: no parsing, validation, encoding or rendering of outputs.
 */
export class PredictionService {
  private inFlight = 0;
  private readonly observers: PredictionObserver[];
  private readonly memo = new RequestMemo();
  private readonly slots = new WeakMap<LoadedVersion, VersionSlots>();

  constructor(private readonly opts: PredictionServiceOptions) {
    this.observers = [...(opts.observers ?? [])];
    opts.metrics.gaugeSources.inFlight = () => this.inFlight;
  }

  /** Predictions being executed now (graceful shutdown waits for them). */
  get pending(): number {
    return this.inFlight;
  }

  predict<In, Out, Head>(call: PredictCall<In, Out, Head>): PredictAnswer<Out> | Promise<PredictAnswer<Out>> {
    if (this.inFlight >= this.opts.maxInFlight) {
      this.opts.metrics.shed.inc({ reason: 'in_flight' });
      throw overloaded(`the gateway is at its limit of ${this.opts.maxInFlight} concurrent predictions`);
    }
    const started = performance.now();
    const { protocol, model, body } = call;
    // Only JSON text is memoised by its bytes; binary bodies are large, and keyed by their digest.
    const memoText =
      typeof body === 'string' && body.length <= MEMO_MAX_BODY && (this.opts.cacheEnabled?.(model) ?? false) ? body : undefined;
    let memo = memoText !== undefined ? this.memo.get(protocol.name, model, memoText) : undefined;
    const parsed = memo?.parsed ?? protocol.parse(body);
    const span = call.span;
    const ctx = withParameters(call.context, parsed.parameters);
    const decision = span === undefined ? this.opts.resolver.resolve(model, call.pin, ctx) : tracedResolve(this.opts.resolver, span, model, call.pin, ctx, this.opts.flagOf);
    const lv = decision.version;
    const versionSlots = this.slotsOf(lv);
    this.decisionSlot(versionSlots, decision).inc();
    const slots = versionSlots.outcomes[protocol.name] ?? this.outcomeSlots(versionSlots, lv, protocol.name);
    if (memo && !call.noCache) {
      const entry = memo.answers.get(lv);
      if (entry && isLive(entry, started)) {
        if (span !== undefined) memoHit(span);
        this.opts.countHit?.(model);
        slots.success.inc();
        return this.answer(call, parsed, decision, 'hit', entry.feeds, entry.outputs, entry, started);
      }
    }
    const feeds = this.encode(lv, parsed);
    if (memoText !== undefined && !memo) memo = this.memo.add(protocol.name, model, memoText, parsed);
    return this.execute(call, parsed, decision, feeds, memo, slots, started);
  }

  private async execute<In, Out, Head>(
    call: PredictCall<In, Out, Head>,
    parsed: ParsedRequest,
    decision: RouteDecision,
    feeds: TensorMap,
    memo: MemoEntry | undefined,
    slots: OutcomeSlots,
    started: number,
  ): Promise<PredictAnswer<Out>> {
    const lv = decision.version;
    this.inFlight++;
    lv.acquire();
    try {
      const exec = await this.opts.executor.run(lv, feeds, parsed.outputs, { noCache: call.noCache, span: call.span });
      slots.success.inc();
      if (exec.entry && memo) memo.answers.set(lv, exec.entry);
      return this.answer(call, parsed, decision, exec.cache, feeds, exec.outputs, exec.entry, started);
    } catch (err) {
      slots.error.inc();
      throw ortErrorToGatewayError(err, lv.key);
    } finally {
      lv.release();
      this.inFlight--;
    }
  }

  /** Render (or reuse the entry's rendering), close with this request's fields, tell the observers. */
  private answer<In, Out, Head>(
    call: PredictCall<In, Out, Head>,
    parsed: ParsedRequest,
    decision: RouteDecision,
    cache: CacheResult,
    feeds: TensorMap,
    outputs: TensorMap,
    entry: CachedPrediction | undefined,
    started: number,
  ): PredictAnswer<Out> {
    const { protocol } = call;
    const lv = decision.version;
    const key = parsed.rendering === undefined ? protocol.name : `${protocol.name}:${parsed.rendering}`;
    // Written under this key by this same protocol only, so it is a Head.
    let head = entry?.rendered[key] as Head | undefined;
    if (head === undefined) {
      head = protocol.render(lv, outputs, parsed);
      if (entry) entry.rendered[key] = head;
    }
    const body = protocol.finish(head, call.requestId, parsed, decision.route);
    if (this.observers.length > 0) {
      const observed: ObservedPrediction = {
        requestId: call.requestId,
        atMs: Date.now(),
        model: lv.name,
        version: lv,
        route: decision.route,
        pin: call.pin,
        cache,
        latencyMs: performance.now() - started,
        feeds,
        outputs,
        span: call.span,
      };
      for (const o of this.observers) {
        try {
          o.observe(observed);
        } catch {
          // An observer's failure never reaches a caller; observers count their own errors.
        }
      }
    }
    return { model: lv.name, version: lv.version, route: decision.route, cache, body };
  }

  private encode(lv: LoadedVersion, parsed: ParsedRequest): TensorMap {
    const { input } = parsed;
    if (input.kind === 'instances') return encodeInstances(lv.manifest, input.instances, this.opts.maxBatchInstances);
    checkOutputSelection(lv.manifest, parsed.outputs);
    return encodeRequestTensors(lv.manifest, input.tensors, this.opts.maxBatchInstances);
  }

  private slotsOf(lv: LoadedVersion): VersionSlots {
    let s = this.slots.get(lv);
    if (!s) {
      s = { outcomes: {}, decisions: new Map() };
      this.slots.set(lv, s);
    }
    return s;
  }

  private outcomeSlots(s: VersionSlots, lv: LoadedVersion, protocol: ProtocolName): OutcomeSlots {
    const labels = (status: string) => this.opts.metrics.inferences.labels({ model: lv.name, version: lv.version, protocol, status });
    return (s.outcomes[protocol] = { success: labels('success'), error: labels('error') });
  }

  private decisionSlot(s: VersionSlots, d: RouteDecision): CounterSlot {
    let byReason = s.decisions.get(d.kind);
    if (!byReason) s.decisions.set(d.kind, (byReason = new Map()));
    let slot = byReason.get(d.reason);
    if (!slot) {
      const lv = d.version;
      slot = this.opts.metrics.routingDecisions.labels({ model: lv.name, version: lv.version, route: d.kind, reason: d.reason });
      byReason.set(d.reason, slot);
    }
    return slot;
  }
}

/** A body seen before, answered from the memo of its cache entry: the L1 lookup that found it, as a span. */
function memoHit(span: TraceSpan): void {
  const s = span.child('modelgate.cache.lookup');
  s.set('modelgate.cache.tier', 'l1');
  s.set('modelgate.cache.hit', true);
  s.set('modelgate.cache.memo', true);
  s.end();
}
