import { hash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import type { DigestJob, DigestDone } from './digest-thread.js';

/** The thread behind `DigestThread`: sha256 of bytes the main thread laid out and moved here. */
const port = parentPort;
if (!port) throw new Error('digest-worker must run as a worker thread');
port.on('message', (job: DigestJob) => {
  const done: DigestDone = { id: job.id, digest: hash('sha256', new Uint8Array(job.buf, 0, job.length), 'base64'), buf: job.buf };
  port.postMessage(done, [job.buf]);
});
