import { closeSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, statSync, write, writeFileSync } from 'node:fs';

/**
 * The file calls the prediction trace makes, as a port: node:fs in production; tests put a full
 * disk behind it (ENOSPC on cue) where a small tmpfs cannot be mounted.
 */
export interface TraceFiles {
  mkdir(dir: string): void;
  list(dir: string): string[];
  open(path: string, flags: 'r' | 'w'): number;
  close(fd: number): void;
  /** A positioned write; resolves with the bytes written (a full disk may write fewer). */
  write(fd: number, data: Buffer, offset: number, length: number, position: number): Promise<number>;
  writeFile(path: string, data: Buffer): void;
  read(fd: number, buf: Buffer, offset: number, length: number, position: number): number;
  size(path: string): number;
  rename(from: string, to: string): void;
  remove(path: string): void;
}

export const nodeFiles: TraceFiles = {
  mkdir: (dir) => void mkdirSync(dir, { recursive: true }),
  list: (dir) => readdirSync(dir),
  open: (path, flags) => openSync(path, flags),
  close: (fd) => closeSync(fd),
  write: (fd, data, offset, length, position) =>
    new Promise((resolve, reject) => write(fd, data, offset, length, position, (err, n) => (err ? reject(err) : resolve(n)))),
  writeFile: (path, data) => writeFileSync(path, data),
  read: (fd, buf, offset, length, position) => readSync(fd, buf, offset, length, position),
  size: (path) => statSync(path).size,
  rename: (from, to) => renameSync(from, to),
  remove: (path) => rmSync(path, { force: true }),
};
