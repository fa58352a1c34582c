import { createHash } from 'node:crypto';
import type { ShadowSettings } from '../config/schema.js';
import type { ObservedPrediction, PredictionObserver } from '../contracts/prediction.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { LoadedVersions } from '../contracts/loaded-version.js';
import type { HostTensor, TensorMap } from '../contracts/tensor.js';
import { sameInputSchema } from './version-router.js';

/** A deterministic share of requests: the request id's hash decides, not Math.random. */
export function inShare(key: string, percent: number): boolean {
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  const h = createHash('sha1').update(key).digest().readUInt32BE(0);
  return (h % 10_000) < percent * 100;
}

/** Every element within `tolerance`, absolute or relative to the primary's value. */
export function outputsAgree(a: TensorMap, b: TensorMap, tolerance: number): boolean {
  for (const [name, t] of Object.entries(a)) {
    const u = b[name];
    if (!u || u.data.length !== t.data.length) return false;
    if (!numeric(t) || !numeric(u)) {
      if (JSON.stringify(Array.from(t.data as ArrayLike<unknown>)) !== JSON.stringify(Array.from(u.data as ArrayLike<unknown>))) return false;
      continue;
    }
    const x = t.data as Float32Array;
    const y = u.data as Float32Array;
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs((x[i] as number) - (y[i] as number));
      if (d > tolerance && d > tolerance * Math.abs(x[i] as number)) return false;
    }
  }
  return true;
}

const numeric = (t: HostTensor) => !Array.isArray(t.data) && !(t.data instanceof BigInt64Array) && !(t.data instanceof BigUint64Array);

/**
 * Shadow traffic: after a response is sent, mirror a share of a model's requests to a challenger
 * version and count agreement and latency. Runs outside the request's path and error path.
 */
export class ShadowObserver implements PredictionObserver {
  constructor(
    private readonly repository: LoadedVersions,
    private readonly settings: (model: string) => ShadowSettings | undefined,
    private readonly metrics: GatewayMetrics,
  ) {}

  observe(p: ObservedPrediction): void {
    const s = this.settings(p.model);
    if (!s || p.version.version === s.version || !inShare(p.requestId, s.percent)) return;
    const challenger = this.repository.get(p.model, s.version);
    const labels = { model: p.model, version: s.version };
    if (!challenger || !sameInputSchema(challenger, p.version)) {
      this.metrics.shadowRequests.inc({ ...labels, outcome: 'skipped' });
      return;
    }
    challenger.acquire();
    // After the response is sent: the mirrored run never delays or fails the caller.
    setImmediate(() => {
      const started = performance.now();
      // A traced request's shadow run joins its trace (a child of the request's span).
      const span = p.span?.child('modelgate.shadow');
      span?.set('modelgate.model.name', p.model);
      span?.set('modelgate.model.version', s.version);
      challenger.runner
        .run(p.feeds, Object.keys(p.outputs))
        .then(
          (outputs) => {
            this.metrics.shadowDuration.observe(labels, (performance.now() - started) / 1000);
            const agree = outputsAgree(p.outputs, outputs, s.tolerance);
            span?.set('modelgate.shadow.agree', agree);
            this.metrics.shadowRequests.inc({ ...labels, outcome: agree ? 'agree' : 'disagree' });
          },
          (err: unknown) => {
            span?.fail(err);
            this.metrics.shadowRequests.inc({ ...labels, outcome: 'error' });
          },
        )
        .finally(() => {
          span?.end();
          challenger.release();
        });
    });
  }
}
