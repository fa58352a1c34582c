import { join } from 'node:path';
import type { Logger } from '../logger.js';
import type { TraceFiles } from './trace-files.js';
import { TraceSegment } from './trace-segment.js';

const SEGMENT_FILE = /^trace-(\d{8})\.log$/;
/** Errors that mean "no room now", not "misconfigured": start-up serves with the trace degraded. */
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT']);
const codeOf = (err: unknown): string => (err as NodeJS.ErrnoException | undefined)?.code ?? '';

export const logPathOf = (dir: string, seq: number) => join(dir, `trace-${String(seq).padStart(8, '0')}.log`);
export const idxPathOf = (dir: string, seq: number) => join(dir, `trace-${String(seq).padStart(8, '0')}.idx`);

/**
 * The segments a trace folder holds at start-up, oldest first, and the last sequence number used.
 * Never deletes: a damaged index is rebuilt (TraceSegment.open), a log that cannot be read is
 * renamed `.unreadable` and reported. A folder that cannot be made for want of space holds
 * nothing yet (`noRoom` is told): writes make it once space returns.
 */
export function openFolder(dir: string, files: TraceFiles, logger: Logger | undefined, noRoom: (err: unknown) => void): { segments: TraceSegment[]; lastSeq: number } {
  try {
    files.mkdir(dir);
  } catch (err) {
    if (!NO_ROOM.has(codeOf(err))) throw err;
    noRoom(err);
  }
  let names: string[];
  try {
    names = files.list(dir);
  } catch (err) {
    if (!NO_ROOM.has(codeOf(err)) && codeOf(err) !== 'ENOENT') throw err;
    names = [];
  }
  const segments: TraceSegment[] = [];
  let lastSeq = 0;
  for (const f of names.sort()) {
    const m = SEGMENT_FILE.exec(f);
    if (!m) continue;
    lastSeq = Number(m[1]);
    const logPath = join(dir, f);
    try {
      segments.push(TraceSegment.open(lastSeq, logPath, idxPathOf(dir, lastSeq), files));
    } catch (err) {
      const aside = `${logPath}.unreadable`;
      try {
        files.rename(logPath, aside);
      } catch {
        // Left where it is: still not deleted; the sequence moves past it.
      }
      logger?.error({ file: f, setAside: aside, err: err instanceof Error ? err.message : String(err) }, 'prediction trace: a segment could not be read; set aside');
    }
  }
  return { segments, lastSeq };
}
