import { LRUCache } from 'lru-cache';
import type { Logger } from '../contracts/logging.js';

export interface AuthThrottleSettings {
  /** Failed bearer attempts from one address before it is refused for a while. */
  threshold: number;
  /** The first refusal's length; each further failure past the threshold doubles it (ms). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Addresses remembered at once (least recently failed forgotten first): bounded memory under a spray. */
  maxAddresses: number;
}

export const AUTH_THROTTLE_DEFAULTS: AuthThrottleSettings = { threshold: 10, baseDelayMs: 1_000, maxDelayMs: 5 * 60_000, maxAddresses: 10_000 };

/** An address's failures are forgotten this long after its last one. */
const FORGET_MS = 15 * 60_000;
/** At most one warn line per interval, carrying how many lockouts it stands for. */
const LOG_INTERVAL_MS = 10_000;

interface Entry {
  failures: number;
  blockedUntil: number;
}

/**
 * Failed bearer attempts per client address: past `threshold` failures an address is refused
 * (429 + Retry-After) for a delay that doubles with each further failure. Only failures are
 * throttled: the caller checks the token first (the same work whatever the throttle's state, so
 * the answer's timing tells nothing) and a valid token is never refused, so an attacker sharing
 * an address with an operator cannot lock the operator out. Addresses live in an LRU.
 */
export class AuthThrottle {
  private readonly entries: LRUCache<string, Entry>;
  private lastLog = -Infinity;
  private folded = 0;

  constructor(
    private readonly settings: AuthThrottleSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.entries = new LRUCache({ max: settings.maxAddresses, ttl: FORGET_MS, ttlAutopurge: false });
  }

  /** Seconds until `address` may try a token again (0: now). */
  retryAfter(address: string): number {
    const e = this.entries.get(address, { updateAgeOnGet: false });
    const wait = e ? e.blockedUntil - this.now() : 0;
    return wait > 0 ? Math.ceil(wait / 1000) : 0;
  }

  /** Count a failed attempt (made while not refused); past the threshold, refuse the address for a while. */
  failed(address: string, path: string): void {
    const e = this.entries.get(address) ?? { failures: 0, blockedUntil: 0 };
    e.failures++;
    const over = e.failures - this.settings.threshold;
    if (over >= 0) {
      const delay = Math.min(this.settings.baseDelayMs * 2 ** Math.min(over, 30), this.settings.maxDelayMs);
      e.blockedUntil = this.now() + delay;
      this.logLockout(address, path, e.failures, delay);
    }
    this.entries.set(address, e);
  }

  private logLockout(address: string, path: string, failures: number, delayMs: number): void {
    const now = this.now();
    if (now - this.lastLog < LOG_INTERVAL_MS) {
      this.folded++;
      return;
    }
    const folded = this.folded;
    this.lastLog = now;
    this.folded = 0;
    // A sample: one address and path; the token itself is never logged.
    this.logger.warn(
      { address, path: path.slice(0, 200), failures, refusedForMs: delayMs, ...(folded > 0 ? { otherLockoutsSinceLastLine: folded } : {}) },
      'admin auth: too many invalid bearer tokens from one address; refusing it for a while (429)',
    );
  }
}
