import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.js';
import { uuidV7 } from '../uuid-v7.js';
import { header } from '../request-headers.js';

const SAFE_ID = /^[\w.:@-]{1,128}$/;

/** Keep the caller's x-request-id when it is a sane token, else mint a time-ordered one; echo it on every response. */
export const requestId = () =>
  createMiddleware<AppEnv>(async function requestId(c, next) {
    const given = header(c, 'x-request-id');
    const id = given && SAFE_ID.test(given) ? given : uuidV7();
    c.set('requestId', id);
    c.header('x-request-id', id);
    await next();
  });
