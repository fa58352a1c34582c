import pino from 'pino';
import type { Logger } from './contracts/logging.js';

export type { Logger };

/**
 * At most this many bytes of log lines wait for a slow stdout; beyond it lines are dropped and
 * counted (a reader that stalls must not grow the gateway's memory, nor block its event loop).
 */
export const LOG_BUFFER_BYTES = 4 * 1024 * 1024;
const DROP_REPORT_MS = 10_000;

/**
 * JSON logs on stdout (pino), written asynchronously into a bounded buffer; tests pass level 'silent'.
 * `mixin` adds fields to every line (with tracing on: the active trace_id and span_id).
 */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', mixin?: () => Record<string, string>): Logger {
  if (level === 'silent') return pino({ level });
  const destination = pino.destination({ dest: 1, sync: false, maxLength: LOG_BUFFER_BYTES });
  const logger = pino({ level, base: { service: 'modelgate' }, ...(mixin ? { mixin } : {}) }, destination);
  // stdout gone (EPIPE) emits 'error' on the destination: unheard, it would end the process.
  destination.on('error', (err: Error) => failureOf(logger)('log-sink', err));
  reportDrops(logger, destination, DROP_REPORT_MS);
  return logger;
}

type LoggerFailure = (task: string, err: unknown) => void;
const failureSinks = new WeakMap<Logger, LoggerFailure>();
const failureOf = (logger: Logger): LoggerFailure => failureSinks.get(logger) ?? (() => undefined);

/**
 * Where a logger's own background failures go (its sink's errors, a failed drop report): the
 * gateway's BackgroundTasks, made after the logger it logs with.
 */
export function onLoggerFailure(logger: Logger, failed: LoggerFailure): void {
  failureSinks.set(logger, failed);
}

/**
 * Count the lines `sink` drops and report them with their count every `ms`, once the sink keeps
 * up again, never one by one. A report that fails is a background failure ('log-drops').
 */
export function reportDrops(logger: Logger, sink: { on(event: 'drop', listener: () => void): unknown }, ms: number): NodeJS.Timeout {
  let dropped = 0;
  sink.on('drop', () => dropped++);
  return setInterval(() => {
    if (dropped === 0) return;
    const count = dropped;
    dropped = 0;
    try {
      logger.warn({ dropped: count }, `log sink too slow: ${count} log lines dropped`);
    } catch (err) {
      failureOf(logger)('log-drops', err);
    }
  }, ms).unref();
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
