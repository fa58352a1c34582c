import type { Logger as PinoLogger } from 'pino';

/** The gateway's logger (pino), as every layer receives it from the composition root. */
export type Logger = PinoLogger;

/**
 * Where a protocol reports an expected outcome (a 4xx, a shed 503): counted and rate-limited, never
 * logged as an error (logging/expected-outcomes.ts is the implementation the root hands out).
 */
export interface OutcomeLog {
  record(status: number, code: string, message: string, requestId?: string): void;
}
