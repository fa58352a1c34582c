// A private redis-server per test file (its own port), so a test can stop it without touching the shared one.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './server-process.js';

/** Whether redis-server can be started here (scripts/services/redis.sh start installs it). */
export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export interface RedisServer {
  url: string;
  port: number;
  /** Kill it (SIGKILL: a crash, not a goodbye) and wait for its exit. */
  kill: () => Promise<void>;
  /** Start it again on the same port. */
  restart: () => Promise<void>;
  /** Block the server for `seconds` (DEBUG SLEEP): every command waits meanwhile. */
  stall: (seconds: number) => Promise<void>;
  stop: () => Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'modelgate-redis-'));
  let child: ChildProcess | undefined;
  const launch = async () => {
    // DEBUG SLEEP lets a test make the server slow (it refuses DEBUG by default).
    const args = ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir, '--enable-debug-command', 'local'];
    child = spawn('redis-server', args, { stdio: 'ignore' });
    await waitForPing(port);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    restart: launch,
    stall: async (seconds) => {
      const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 0 });
      c.on('error', () => undefined);
      await c.ping();
      // Not awaited: the reply comes only when the sleep ends.
      void c.call('DEBUG', 'SLEEP', String(seconds)).catch(() => undefined).finally(() => c.disconnect());
      await new Promise((r) => setTimeout(r, 20));
    },
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPing(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const probe = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      if ((await probe.ping()) === 'PONG') return;
    } catch {
      // not up yet
    } finally {
      probe.disconnect();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
}
