// Loaded into a gateway with `--import` where mount is refused (an unprivileged CI container): while
// `$MODELGATE_CHAOS_DISK/.full` exists, file writes under $MODELGATE_CHAOS_DISK fail with ENOSPC, as
// on a full disk. The gateway's own code is untouched: node:fs is patched under it. (SQLite writes
// natively and is not affected: only the trace sees this disk fill up.)
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join, resolve } from 'node:path';

const root = process.env.MODELGATE_CHAOS_DISK ? resolve(process.env.MODELGATE_CHAOS_DISK) : undefined;
if (root) {
  const full = () => fs.existsSync(join(root, '.full'));
  const under = (p: unknown) => typeof p === 'string' && resolve(p).startsWith(`${root}/`) && !p.endsWith('.full');
  const enospc = (syscall: string) => Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });
  const fds = new Set<number>();
  const { openSync, closeSync, write, writeFileSync } = fs;
  fs.openSync = ((path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode) => {
    const writing = flags !== undefined && flags !== 'r';
    if (under(path) && writing && full()) throw enospc('open');
    const fd = openSync(path, flags ?? 'r', mode);
    if (under(path)) fds.add(fd);
    return fd;
  }) as typeof fs.openSync;
  fs.closeSync = ((fd: number) => {
    fds.delete(fd);
    closeSync(fd);
  }) as typeof fs.closeSync;
  fs.write = ((fd: number, ...args: unknown[]) => {
    const cb = args.at(-1) as (err: Error | null, n?: number) => void;
    if (fds.has(fd) && full()) return void process.nextTick(cb, enospc('write'));
    return (write as (...a: unknown[]) => void)(fd, ...args);
  }) as typeof fs.write;
  fs.writeFileSync = ((path: fs.PathOrFileDescriptor, ...args: unknown[]) => {
    if (under(path) && full()) throw enospc('write');
    return (writeFileSync as (...a: unknown[]) => void)(path, ...args);
  }) as typeof fs.writeFileSync;
  syncBuiltinESMExports();
}
