/** When and how often to try a request again. */
export interface RetryPolicy {
  /** Retries after the first attempt (default 3; 0: none). */
  maxRetries?: number;
  /** First backoff after a connection reset, doubled each time (default 100 ms). */
  baseDelayMs?: number;
  /** No wait is longer than this, whatever Retry-After says (default 10 s). */
  maxDelayMs?: number;
}

export interface RetryEvent {
  /** 1 for the first retry. */
  attempt: number;
  /** 503 (shed, with Retry-After) or the connection error's code. */
  reason: number | string;
  delayMs: number;
  /** The request id sent again (the same on every attempt). */
  requestId: string | undefined;
}

export interface RetryOptions extends RetryPolicy {
  onRetry?: (e: RetryEvent) => void;
  /** [0, 1): injectable for tests; default Math.random. */
  random?: () => number;
}

/** Connection failures where the request may not have been processed (undici's and Node's codes). */
const RETRYABLE_ERRORS = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED']);

function connectionErrorCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && RETRYABLE_ERRORS.has(e.code)) return e.code;
  }
  return undefined;
}

function sleep(ms: number, signal: AbortSignal | null | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const done = () => {
      signal?.removeEventListener('abort', abort);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

/**
 * fetch, retried for a 503 that carries Retry-After (the gateway shed it) and for a reset or
 * refused connection: the same request (same x-request-id) again, at most maxRetries times,
 * after Retry-After (or an exponential backoff) stretched by up to 25 % of jitter, so shed
 * clients do not come back in step. Never for a 4xx, nor for any other answer.
 */
export function retryingFetch(inner: typeof fetch, opts: RetryOptions = {}): (request: Request) => Promise<Response> {
  const maxRetries = opts.maxRetries ?? 3;
  const base = opts.baseDelayMs ?? 100;
  const cap = opts.maxDelayMs ?? 10_000;
  const random = opts.random ?? Math.random;
  return async function fetchWithRetries(request: Request): Promise<Response> {
    const requestId = request.headers.get('x-request-id') ?? undefined;
    for (let attempt = 0; ; attempt++) {
      let wait: number;
      let reason: number | string;
      try {
        // Each attempt sends a copy: a body can be read once.
        const res = await inner(attempt < maxRetries ? request.clone() : request);
        const retryAfter = res.status === 503 ? Number(res.headers.get('retry-after') ?? NaN) : NaN;
        if (!Number.isFinite(retryAfter) || attempt >= maxRetries) return res;
        await res.body?.cancel();
        wait = retryAfter * 1000;
        reason = 503;
      } catch (err) {
        const code = connectionErrorCode(err);
        if (code === undefined || attempt >= maxRetries || request.signal.aborted) throw err;
        wait = base * 2 ** attempt;
        reason = code;
      }
      const delayMs = Math.round(Math.min(wait, cap) * (1 + 0.25 * random()));
      opts.onRetry?.({ attempt: attempt + 1, reason, delayMs, requestId });
      await sleep(delayMs, request.signal);
    }
  };
}
