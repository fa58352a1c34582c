import type { Logger, OutcomeLog } from '../contracts/logging.js';

/** How often at most one line per kind of expected outcome is written. */
export const OUTCOME_LOG_INTERVAL_MS = 10_000;

/**
 * Expected outcomes (a 4xx, a shed 503) are the gateway working as designed, not errors: under
 * overload or a fuzzing client they come by the hundred thousand, and one error line with a stack
 * each made 126 MB of log in 30 s. They are logged without a stack, below error level, and
 * rate-limited per kind (status + code: a bounded set): the first one at once, then one line per
 * interval carrying how many were folded into it.
 */
export class ExpectedOutcomeLog implements OutcomeLog {
  private readonly kinds = new Map<string, { last: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly intervalMs = OUTCOME_LOG_INTERVAL_MS,
  ) {}

  record(status: number, code: string, message: string, requestId?: string): void {
    const level = status === 503 ? 'warn' : 'info';
    if (!this.logger.isLevelEnabled(level)) return;
    const key = `${status} ${code}`;
    const now = this.now();
    const kind = this.kinds.get(key);
    if (kind && now - kind.last < this.intervalMs) {
      kind.suppressed++;
      return;
    }
    const count = (kind?.suppressed ?? 0) + 1;
    this.kinds.set(key, { last: now, suppressed: 0 });
    // No `err`: a stack is for the unexpected. `count` = this one plus those folded since the last line.
    this.logger[level]({ status, code, count, requestId, sinceMs: kind ? now - kind.last : 0 }, `${status} ${code}: ${message.slice(0, 200)}`);
  }
}
