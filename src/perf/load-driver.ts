/** Where a load generator reports each answer; the measurement slices them into windows. */
export interface ResponseSink {
  /** An answer: its status (gRPC: 200 for OK, else the gRPC code + 1000) and latency in ms. */
  response(status: number, ms: number): void;
  /** The version that answered and the cache's verdict (x-cache), when the protocol says. */
  tags(version: string | undefined, cache: string | undefined): void;
  /** A request that got no answer (connection refused, reset, timeout). */
  error(code: string): void;
}

/** The load of one step: closed-loop concurrency, or an open-loop request rate. */
export type Load = { concurrency: number } | { rate: number; connections: number };

export interface RunningLoad {
  stop(): Promise<void>;
}

export const loadLabel = (l: Load): string => ('concurrency' in l ? `concurrency ${l.concurrency}` : `rate ${l.rate}/s`);
