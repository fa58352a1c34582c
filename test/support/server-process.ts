import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Below Linux's ephemeral range (ip_local_port_range, 32768-60999 by default). */
const PORTS = { from: 20_000, to: 32_767 };

/**
 * A free TCP port on 127.0.0.1, outside the kernel's ephemeral range. A port the kernel picked
 * (listen on 0) can be handed out again as the local port of any outgoing connection before the
 * server binds it: a gateway connecting to PostgreSQL, Unleash or Redis at start-up then fails its
 * own listen with EADDRINUSE. A random port below the range is only ever taken by a listener.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const port = PORTS.from + Math.floor(Math.random() * (PORTS.to - PORTS.from + 1));
    if (await canListen(port)) return port;
    if (attempt > 100) throw new Error(`no free port in ${PORTS.from}-${PORTS.to} after 100 tries`);
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export interface ServerProcess {
  url: string;
  /** host:port of its gRPC service (MODELGATE_GRPC_PORT). */
  grpcTarget: string;
  child: ChildProcess;
  logs: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

export interface ServerProcessOptions {
  /** Arguments after `serve` (e.g. ['--workers', '2']). */
  args?: string[];
  /** The log line that says it serves (default 'modelgate listening'). */
  ready?: string;
}

/** Start the built gateway (`node dist/src/cli/main.js serve`) as its own process and wait until it listens. */
export async function startServerProcess(env: Record<string, string> = {}, opts: ServerProcessOptions = {}): Promise<ServerProcess> {
  const ready = opts.ready ?? 'modelgate listening';
  const port = await freePort();
  // A free gRPC port of its own too (the default, 8081, would collide between parallel tests).
  const grpcPort = env.MODELGATE_GRPC_PORT ?? String(await freePort());
  // Each server gets its own registry and trace databases, never the working tree's data/.
  const data = mkdtempSync(join(tmpdir(), 'modelgate-e2e-'));
  // As `npm start`, the image and the manifests run it.
  const child = spawn(process.execPath, ['--no-memory-reducer', 'dist/src/cli/main.js', 'serve', ...(opts.args ?? [])], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      MODELGATE_REGISTRY_DB: join(data, 'registry.db'),
      // Short drain delay in tests (the default, 5 s, waits for a load balancer to remove the endpoint).
      MODELGATE_DRAIN_DELAY_MS: '100',
      MODELGATE_GRPC_PORT: grpcPort,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${out}`)), 60_000);
    const check = () => {
      if (out.includes(ready)) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url: `http://127.0.0.1:${port}`,
    grpcTarget: `127.0.0.1:${grpcPort}`,
    child,
    logs: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
