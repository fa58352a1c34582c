// Child processes of the benchmark: target servers and load generators, each its own node process.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { GrpcLoadSpec } from './grpc-load.js';
import type { LoadResult, LoadSpec } from './load.js';

export interface Server {
  name: string;
  child: ChildProcess;
  /** The last lines it wrote, for errors. */
  output: () => string;
  /** Whether it has written `text` (searched in its first 64 KB of output and in the last lines). */
  saw: (text: string) => boolean;
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function startServer(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Server {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let head = '';
  const keep = (b: Buffer) => {
    const text = b.toString('utf8');
    tail = (tail + text).slice(-4000);
    if (head.length < 65_536) head += text;
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { name, child, output: () => tail, saw: (text) => head.includes(text) || tail.includes(text) };
}

/** Poll `url` until it answers 200 (and `readyLog` was written); fail if the process exits or `timeoutMs` passes. */
export async function waitReady(server: Server, url: string, timeoutMs = 60_000, readyLog?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`${server.name} exited (${server.child.exitCode}): ${server.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      if (res.status === 200 && (readyLog === undefined || server.saw(readyLog))) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${server.name} was not ready within ${timeoutMs} ms: ${server.output()}`);
}

/** SIGTERM, wait for a graceful exit (profiles are written then), SIGKILL after 15 s. */
export async function stopServer(server: Server): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** Run one load in a separate process (autocannon, or grpc-load.js) and return its summary, with the server's CPU per request. */
export function runLoad(loadScript: string, spec: LoadSpec | GrpcLoadSpec, cwd: string, serverPid?: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [loadScript, JSON.stringify(spec)], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let cpuStart: number | undefined;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      if (cpuStart === undefined && out.includes('measuring\n')) cpuStart = cpuMs(serverPid);
    });
    child.stderr.on('data', (b: Buffer) => (err += b.toString('utf8')));
    child.once('error', reject);
    child.once('exit', (code) => {
      const cpuEnd = cpuMs(serverPid);
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`load generator failed (${code}): ${err.slice(-2000)}`));
      const result = JSON.parse(line) as LoadResult;
      if (cpuStart !== undefined && cpuEnd !== undefined && result.total > 0) result.cpuUsPerReq = ((cpuEnd - cpuStart) * 1000) / result.total;
      resolve(result);
    });
  });
}

/**
 * CPU time (user + system, all threads) a process and its child processes (a cluster's workers)
 * have used so far, in ms (Linux /proc; undefined elsewhere).
 */
export function cpuMs(pid: number | undefined): number | undefined {
  const own = ownCpuMs(pid);
  if (pid === undefined || own === undefined) return own;
  let total = own;
  for (const child of childPids(pid)) total += ownCpuMs(child) ?? 0;
  return total;
}

function childPids(pid: number): number[] {
  try {
    const out: number[] = [];
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const list = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (list) out.push(...list.split(/\s+/).map(Number));
    }
    return out;
  } catch {
    return [];
  }
}

function ownCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat (11 and 12 after the command name), in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = 100;
