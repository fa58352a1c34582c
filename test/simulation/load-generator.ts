import type { Gateway } from '../../src/gateway.js';
import type { Population } from './population.js';

/** One answered request, as the caller saw it. */
export interface Answer {
  atMs: number;
  status: number;
  version: string | null;
}

export interface LoadOptions {
  model: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Ground truth is sent in batches this often (ms). */
  feedbackEveryMs: number;
  /** Target request rate (all workers together): a realistic load that leaves the shared cores to other tests. */
  ratePerSec: number;
}

/**
 * Drives a gateway in process with a population's requests (sticky users, x-user-id) and sends the
 * oracle's truth for every answer through POST /v1/feedback/batch, as a labelling pipeline would.
 */
export class LoadGenerator {
  readonly answers: Answer[] = [];
  feedbackRefused = 0;
  private pending: { request_id: string; value: number }[] = [];
  private seq = 0;

  constructor(private readonly gw: Gateway, private readonly population: Population, private readonly opts: LoadOptions) {}

  /** Run until `done()` is true (checked between requests) or `maxMs` passed. */
  async run(done: () => boolean, maxMs: number): Promise<void> {
    const deadline = Date.now() + maxMs;
    const stop = () => done() || Date.now() > deadline;
    const feeder = setInterval(() => void this.flushFeedback(), this.opts.feedbackEveryMs);
    try {
      await Promise.all(Array.from({ length: this.opts.concurrency }, () => this.worker(stop)));
    } finally {
      clearInterval(feeder);
      await this.flushFeedback();
    }
  }

  private async worker(stop: () => boolean): Promise<void> {
    while (!stop()) {
      const { user, instance, truth } = this.population.next();
      const requestId = `sim-${process.pid}-${this.seq++}`;
      const res = await this.gw.app.request(`/v1/models/${this.opts.model}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': user, 'x-request-id': requestId },
        body: JSON.stringify({ instances: [instance] }),
      });
      await res.arrayBuffer();
      this.answers.push({ atMs: Date.now(), status: res.status, version: res.headers.get('x-model-version') });
      if (res.status === 200) this.pending.push({ request_id: requestId, value: truth });
      // Pace each worker to its share of the rate; timers (the analysis interval, flag reloads) run meanwhile.
      await new Promise((r) => setTimeout(r, (1000 * this.opts.concurrency) / this.opts.ratePerSec));
    }
  }

  private async flushFeedback(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, 1000);
    const res = await this.gw.app.request('/v1/feedback/batch', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ feedback: batch }),
    });
    const body = (await res.json()) as { refused: number };
    this.feedbackRefused += body.refused;
  }
}
