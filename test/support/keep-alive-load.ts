import { Agent, request } from 'node:http';

/** One answered or failed request of a load run. */
export interface Outcome {
  id: string;
  method: string;
  path: string;
  status: number;
  /** The response's Connection header ('close' once the server drains). */
  connection: string | undefined;
  retryAfter: string | undefined;
  body: string;
  /** ECONNRESET, ECONNREFUSED, socket hang up...: the request got no HTTP answer. */
  error?: string;
  sentAt: number;
}

export interface RequestSpec {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * Closed-loop load over keep-alive connections (node:http, not fetch, so a reset or a refused
 * connection is seen as such): `connections` workers each send `next(i)` back to back until
 * `stop()` returns true. Every request is recorded; none is retried.
 */
export async function keepAliveLoad(opts: {
  url: string;
  connections: number;
  next: (i: number) => RequestSpec;
  stop: () => boolean;
  onOutcome?: (o: Outcome) => void;
  keepBodies?: boolean;
}): Promise<Outcome[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.connections });
  const base = new URL(opts.url);
  const outcomes: Outcome[] = [];
  let seq = 0;
  const one = (spec: RequestSpec, id: string): Promise<Outcome> =>
    new Promise((resolve) => {
      const sentAt = Date.now();
      const req = request(
        { agent, host: base.hostname, port: base.port, method: spec.method, path: spec.path, headers: {
            'x-request-id': id,
            // node's client sends a DELETE/OPTIONS body with neither length nor chunking: always declare it.
            ...(spec.body !== undefined ? { 'content-length': String(Buffer.byteLength(spec.body)) } : {}),
            ...spec.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () =>
            resolve({
              id,
              method: spec.method,
              path: spec.path,
              status: res.statusCode ?? 0,
              connection: res.headers.connection,
              retryAfter: res.headers['retry-after'] as string | undefined,
              body: opts.keepBodies === false ? '' : Buffer.concat(chunks).toString('utf8'),
              sentAt,
            }),
          );
          res.on('error', (err: NodeJS.ErrnoException) => resolve({ id, method: spec.method, path: spec.path, status: 0, connection: undefined, retryAfter: undefined, body: '', error: err.code ?? err.message, sentAt }));
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => resolve({ id, method: spec.method, path: spec.path, status: 0, connection: undefined, retryAfter: undefined, body: '', error: err.code ?? err.message, sentAt }));
      req.end(spec.body);
    });
  const worker = async (w: number) => {
    while (!opts.stop()) {
      const i = seq++;
      const o = await one(opts.next(i), `load-${process.pid}-${w}-${i}`);
      outcomes.push(o);
      opts.onOutcome?.(o);
    }
  };
  await Promise.all(Array.from({ length: opts.connections }, (_, w) => worker(w)));
  agent.destroy();
  return outcomes;
}
