import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
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
  const child = spawn(process.execPath, ['dist/src/cli/main.js', 'serve', ...(opts.args ?? [])], {
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
