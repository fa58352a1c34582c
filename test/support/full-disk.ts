// A disk that fills up on cue, for the prediction trace: a real small tmpfs where mount is allowed
// (root, Linux), else ENOSPC injected through the trace's file-system port. Either way `fill()`
// makes every write fail with ENOSPC and `free()` gives the space back.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFiles, type TraceFiles } from '../../src/audit/trace-files.js';

export interface FullDisk {
  /** 'tmpfs': a real mount; 'injected': ENOSPC from the file port. */
  kind: 'tmpfs' | 'injected';
  dir: string;
  /** The file port the trace must use (node:fs on a tmpfs). */
  files: TraceFiles;
  fill(): void;
  free(): void;
  dispose(): void;
}

const enospc = (call: string) => Object.assign(new Error(`ENOSPC: no space left on device, ${call}`), { code: 'ENOSPC', errno: -28, syscall: call });

/** Mount a tmpfs of `bytes` on a fresh folder; undefined where mount is refused. */
export function mountTmpfs(bytes: number): { dir: string; unmount(): void } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'modelgate-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Fill what is left of a file system with one file (removed to free the space). */
export function fillUp(dir: string): string {
  const filler = join(dir, '.filler');
  const fd = openSync(filler, 'a');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  // A tmpfs may still take a partial block: take that too.
  try {
    for (;;) writeSync(fd, block, 0, 512);
  } catch {
    // full
  }
  closeSync(fd);
  return filler;
}

export type InjectedDisk = FullDisk & { kind: 'injected'; full: false | 'all' | 'index' };

/** The trace's file port with a full disk switched on and off ('index': only index files fail). */
export function injectedDisk(dir: string): InjectedDisk {
  const disk: InjectedDisk = {
    kind: 'injected' as const,
    dir,
    full: false,
    files: {
      ...nodeFiles,
      mkdir: (d) => {
        if (disk.full === 'all') throw enospc('mkdir');
        nodeFiles.mkdir(d);
      },
      open: (p, flags) => {
        if (disk.full === 'all' && flags === 'w') throw enospc('open');
        return nodeFiles.open(p, flags);
      },
      write: (fd, data, offset, length, position) =>
        disk.full === 'all' ? Promise.reject(enospc('write')) : nodeFiles.write(fd, data, offset, length, position),
      writeFile: (p, data) => {
        if (disk.full) throw enospc('write');
        nodeFiles.writeFile(p, data);
      },
    },
    fill: () => void (disk.full = 'all'),
    free: () => void (disk.full = false),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
  return disk;
}

/**
 * A full disk for the trace: a real tmpfs of `bytes` where mount works, else ENOSPC injected
 * (CI containers often refuse mount). Never skipped: one of the two always runs.
 */
export function fullDisk(bytes = 3 * 1024 * 1024, prefer: 'tmpfs' | 'injected' = 'tmpfs'): FullDisk {
  const mounted = prefer === 'tmpfs' ? mountTmpfs(bytes) : undefined;
  if (!mounted) return injectedDisk(mkdtempSync(join(tmpdir(), 'modelgate-disk-')));
  let filler: string | undefined;
  return {
    kind: 'tmpfs',
    dir: mounted.dir,
    files: nodeFiles,
    fill: () => void (filler = fillUp(mounted.dir)),
    free: () => {
      if (filler) rmSync(filler, { force: true });
      filler = undefined;
    },
    dispose: () => mounted.unmount(),
  };
}

/** Whether a real tmpfs can be mounted here (tests say which kind ran). */
export function canMountTmpfs(): boolean {
  const m = mountTmpfs(64 * 1024);
  m?.unmount();
  return m !== undefined;
}

