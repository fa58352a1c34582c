import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { GatewayError } from '../../errors/index.js';
import type { AppEnv } from '../app-env.js';
import { header } from '../request-headers.js';

/**
 * 413 for bodies over `maxSize`. A declared Content-Length is checked from the header alone:
 * hono's bodyLimit reads the raw body stream, which makes @hono/node-server build a full web
 * Request per POST (measured: ~190 µs a request). Only chunked bodies go through bodyLimit.
 */
export const maxBody = (maxSize: number) => {
  const tooLarge = () => new GatewayError('payload_too_large', 413, `the request body exceeds ${maxSize} bytes`);
  const streaming = bodyLimit({
    maxSize,
    onError: () => {
      throw tooLarge();
    },
  });
  return createMiddleware<AppEnv>(async function maxBody(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = header(c, 'content-length');
    if (length !== undefined && header(c, 'transfer-encoding') === undefined) {
      if (Number(length) > maxSize) throw tooLarge();
      return next();
    }
    return streaming(c, next);
  });
};
