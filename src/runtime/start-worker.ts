import { Worker, type WorkerOptions } from 'node:worker_threads';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Start a worker thread on the module `name` beside `callerUrl` (a caller's import.meta.url):
 * the built .js file, or, under vitest/tsx where sources are .ts and a worker cannot load them by
 * itself, a two-line bootstrap that registers tsx in the thread first.
 */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const ext = extname(fileURLToPath(callerUrl));
  const url = new URL(`./${name}${ext}`, callerUrl);
  if (ext !== '.ts') return new Worker(url, options);
  const code = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(code, { ...options, eval: true });
}
