// Raw TCP clients for the connection scenarios: sockets held open (idle or not reading) and
// one-request clients on fresh connections (node:http without an agent, so a reset is seen as such).
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

/** Open `n` connections that send nothing, `batch` at a time; the server may close some (counted). */
export async function holdIdle(url: string, n: number, batch = 250): Promise<{ sockets: Socket[]; closedByServer: () => number; failedToConnect: number }> {
  const { port, hostname } = new URL(url);
  const sockets: Socket[] = [];
  let closed = 0;
  let failed = 0;
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () => new Promise<void>((resolve) => {
        const s = connect(Number(port), hostname);
        s.once('connect', () => (sockets.push(s), resolve()));
        s.once('error', () => (failed++, resolve()));
        s.once('close', () => closed++);
        s.resume();
      })),
    );
  }
  return { sockets, closedByServer: () => closed, failedToConnect: failed };
}

/** One request on its own new connection: the status, or the error a client saw (ECONNRESET...). */
export function freshRequest(url: string, path: string, body?: string): Promise<{ status: number; error?: string }> {
  return new Promise((resolve) => {
    const req = request(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      agent: false,
      headers: body === undefined ? { connection: 'close' } : { connection: 'close', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      timeout: 10_000,
    }, (res) => {
      res.resume();
      res.once('end', () => resolve({ status: res.statusCode ?? 0 }));
      res.once('error', (e: NodeJS.ErrnoException) => resolve({ status: 0, error: e.code ?? e.message }));
    });
    req.once('error', (e: NodeJS.ErrnoException) => resolve({ status: 0, error: e.code ?? e.message }));
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.end(body);
  });
}

/** A counter's samples from /metrics, by the value of one label. */
export async function counterBy(url: string, metric: string, label: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: Record<string, number> = {};
  const re = new RegExp(`^${metric}\\{[^}]*${label}="([^"]+)"[^}]*\\} (\\S+)$`, 'gm');
  for (const m of text.matchAll(re)) out[m[1] as string] = Number(m[2]);
  return out;
}
