import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process.js';

/** The PostgreSQL server binaries (Debian's layout): the newest major version installed. */
function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : undefined;
}

/** PostgreSQL refuses to run as root: as root, run its binaries as the `postgres` user. */
const asPg = (cmd: string, args: string[]): [string, string[]] => (process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);

/**
 * A PostgreSQL cluster of a test's own (initdb into a temp dir, its own port on 127.0.0.1, trust
 * auth), so a test can stop, hang (SIGSTOP) and restart it without touching the shared server
 * other tests use. `url` names a database `modelgate` owned by the superuser.
 */
export class PrivatePostgres {
  private server: ChildProcess | undefined;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
  ) {}

  static available(): boolean {
    return binDir() !== undefined;
  }

  static async create(): Promise<PrivatePostgres> {
    const bin = binDir();
    if (!bin) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql');
    const dir = mkdtempSync(join(tmpdir(), 'modelgate-pg-'));
    chmodSync(dir, 0o777);
    const data = join(dir, 'data');
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres', dir]);
    const [cmd, args] = asPg(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
    execFileSync(cmd, args, { stdio: 'ignore' });
    const pg = new PrivatePostgres(dir, await freePort(), bin);
    await pg.start();
    execFileSync(join(bin, 'psql'), ['-X', '-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-c', 'CREATE DATABASE modelgate'], { stdio: 'ignore' });
    return pg;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/modelgate`;
  }

  /** Start (or restart) the server on the same data and port; resolves once it accepts connections. */
  async start(): Promise<void> {
    const [cmd, args] = asPg(join(this.bin, 'postgres'), [
      '-D', join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
    ]);
    this.server = spawn(cmd, args, { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      try {
        execFileSync(join(this.bin, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(this.port)], { stdio: 'ignore' });
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`private PostgreSQL on port ${this.port} did not start`);
  }

  /** The postmaster's pid (first line of postmaster.pid). */
  private pid(): number | undefined {
    try {
      return Number(readFileSync(join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      return undefined;
    }
  }

  /** Stop the server (fast shutdown: connections are closed); resolves once it is gone. */
  async stop(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 200 && existsSync(join(this.dir, 'data', 'postmaster.pid')); i++) await new Promise((r) => setTimeout(r, 50));
  }

  /** Hang every server process (SIGSTOP): connections stay open and nothing answers. */
  freeze(): void {
    this.signalAll('SIGSTOP');
  }

  thaw(): void {
    this.signalAll('SIGCONT');
  }

  async destroy(): Promise<void> {
    this.thaw();
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /**
   * The postmaster and its children (backends, checkpointer...): SIGSTOP on the postmaster alone
   * leaves backends answering. And runuser above it, which stops itself when its child stops: left
   * stopped, it never reaps the postmaster, and outlives the test.
   */
  private signalAll(signal: NodeJS.Signals): void {
    const pid = this.pid();
    if (pid === undefined) return;
    const children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' }).split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
    const runuser = this.server?.pid;
    for (const p of [pid, ...children, ...(runuser === undefined ? [] : [runuser])]) {
      try {
        process.kill(p, signal);
      } catch {
        // Gone meanwhile.
      }
    }
  }
}
