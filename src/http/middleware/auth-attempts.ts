import type { IncomingMessage } from 'node:http';
import { createMiddleware } from 'hono/factory';
import type { AuthThrottle } from '../auth-throttle.js';
import type { ClientAddress } from '../../core/client-address.js';
import type { SlotCounter } from '../../metrics/slots.js';
import type { AppEnv } from '../app-env.js';
import { requestHeaders } from '../request-headers.js';

/** The throttle bound to one request's client address, for the role guard. */
export interface AuthAttempts {
  /** Seconds this address must wait before another token is checked (0: none). */
  retryAfter(): number;
  failed(): void;
}

/** Where the failed-attempt throttle applies (the admin and repository routes): binds it to the client address. */
export function authAttempts(throttle: AuthThrottle, clientAddress: ClientAddress, counted: SlotCounter<'result'>) {
  const invalid = counted.labels({ result: 'invalid' });
  const throttled = counted.labels({ result: 'throttled' });
  return createMiddleware<AppEnv>(async function authAttemptsOf(c, next) {
    const peer = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
    const address = clientAddress(peer, requestHeaders(c));
    // No address (an in-process request, no socket): nothing to attribute failures to.
    if (address === undefined) return next();
    c.set('authAttempts', {
      retryAfter: () => {
        const wait = throttle.retryAfter(address);
        if (wait > 0) throttled.inc();
        return wait;
      },
      failed: () => {
        invalid.inc();
        throttle.failed(address, c.req.path);
      },
    });
    await next();
  });
}
