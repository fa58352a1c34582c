import type { RawRequest } from 'autocannon';
import type { Load, ResponseSink, RunningLoad } from './load-driver.js';
import type { EncodedRequest } from './request-encoding.js';

export interface HttpLoadOptions {
  url: string;
  load: Load;
  next: () => EncodedRequest;
  /** Every request the same: sent as is, without building each one (autocannon's cheapest path). */
  fixed?: EncodedRequest;
  /** Sent with every request (cache-control, authorization). */
  headers: Record<string, string>;
  /** Rotate x-user-id over this many users (sticky routing), 0 for none. */
  users: number;
  sink: ResponseSink;
}

/**
 * HTTP load with autocannon, running until stopped (the measurement decides when). autocannon is
 * loaded here, lazily: only `modelgate perf` needs it, never the server.
 */
export async function startHttpLoad(o: HttpLoadOptions): Promise<RunningLoad> {
  const { default: autocannon } = await import('autocannon');
  let user = 0;
  const { sink } = o;
  const setupRequest = (req: RawRequest): RawRequest => {
    const e = o.next();
    const headers = { ...req.headers, ...o.headers, ...e.headers };
    if (o.users > 0) headers['x-user-id'] = `user-${user++ % o.users}`;
    return { ...req, body: e.body, headers };
  };
  const instance = autocannon({
    url: o.url,
    method: 'POST',
    connections: 'concurrency' in o.load ? o.load.concurrency : o.load.connections,
    ...('rate' in o.load ? { overallRate: o.load.rate } : {}),
    duration: 24 * 3600,
    timeout: 30,
    ...(o.fixed ? { body: o.fixed.body, headers: { ...o.headers, ...o.fixed.headers } } : {}),
    requests: [
      {
        ...(o.fixed ? {} : { setupRequest }),
        onResponse: (_status, _body, _ctx, headers) => {
          sink.tags(str(headers['x-model-version']), str(headers['x-cache']));
        },
      },
    ],
  });
  instance.on('response', (_client, status, _bytes, ms) => sink.response(status, ms));
  instance.on('reqError', (err) => sink.error((err as NodeJS.ErrnoException).code ?? err.message.slice(0, 40)));
  const done = new Promise<void>((resolve) => instance.then(() => resolve(), () => resolve()));
  return {
    stop: async () => {
      instance.stop();
      await done;
    },
  };
}

const str = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
