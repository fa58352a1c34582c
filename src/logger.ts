import pino from 'pino';

export type Logger = pino.Logger;

/**
 * At most this many bytes of log lines wait for a slow stdout; beyond it lines are dropped and
 * counted (a reader that stalls must not grow the gateway's memory, nor block its event loop).
 */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;
const DROP_REPORT_MS = 10_000;

/** JSON logs on stdout (pino), written asynchronously into a bounded buffer; tests pass level 'silent'. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  if (level === 'silent') return pino({ level });
  const destination = pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_BYTES });
  const logger = pino({ level, base: { service: 'modelgate' } }, destination);
  let dropped = 0;
  destination.on('drop', () => dropped++);
  // Dropped lines are reported with their count once the sink keeps up again, never one by one.
  setInterval(() => {
    if (dropped === 0) return;
    const count = dropped;
    dropped = 0;
    logger.warn({ dropped: count }, `log sink too slow: ${count} log lines dropped`);
  }, DROP_REPORT_MS).unref();
  return logger;
}

/** Write out buffered lines before the process exits (bounded: a stalled sink cannot hold the exit). */
export function flushLogger(logger: Logger, timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    try {
      logger.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}
