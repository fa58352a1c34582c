import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

type HeaderRecord = Record<string, string | string[] | undefined>;

/**
 * The request's headers as a plain lower-cased record. Under @hono/node-server that is Node's own
 * `IncomingMessage.headers` (already parsed): much cheaper on the hot path than the web Headers
 * object that `c.req.header()` builds. In-process requests (tests) fall back to Hono's record.
 */
export function requestHeaders(c: Context): HeaderRecord {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.headers ?? (c.req.header() as HeaderRecord);
}

/** One header's value (the first, where Node folded repeats into an array). */
export function header(c: Context, name: string): string | undefined {
  const v = requestHeaders(c)[name];
  return Array.isArray(v) ? v[0] : v;
}
