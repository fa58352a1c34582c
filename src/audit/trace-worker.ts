// The prediction trace's writer thread: its own SQLite connection, batches in, counts out.
import { parentPort, workerData } from 'node:worker_threads';
import { openTraceDb, TraceStore } from './trace-store.js';
import type { TraceWorkerData, TraceWorkerRequest, TraceWorkerResponse } from './trace-worker-protocol.js';

const data = workerData as TraceWorkerData;
const db = openTraceDb(data.path);
const store = new TraceStore(db);
const port = parentPort;

port?.on('message', (m: TraceWorkerRequest) => {
  const reply = (r: Omit<TraceWorkerResponse, 'id'>) => port.postMessage({ id: m.id, ...r } satisfies TraceWorkerResponse);
  try {
    if (m.type === 'write') {
      store.insert(m.rows, data.maxOutputBytes);
      reply({ written: m.rows.length, failed: 0, pruned: 0 });
    } else if (m.type === 'prune') {
      reply({ written: 0, failed: 0, pruned: store.prune(m.cutoffMs) });
    } else {
      db.close();
      reply({ written: 0, failed: 0, pruned: 0 });
    }
  } catch (err) {
    reply({ written: 0, failed: m.type === 'write' ? m.rows.length : 0, pruned: 0, error: (err as Error).message });
  }
});
