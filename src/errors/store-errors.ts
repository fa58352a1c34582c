import { GatewayError, storeUnavailable } from './gateway-error.js';

/** Socket-level failures: the server is not there (or not answering). */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
/** SQLSTATEs of a server going away or refusing work for now: shutdown, crash, too many clients, statement timeout. */
const PG_STATES = new Set(['57P01', '57P02', '57P03', '53300', '57014', '53100']);
/** node-postgres's own errors for a lost, hung or never-made connection. */
const PG_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Client was closed)/;
/** SQLite: the disk is full, failing or the file is locked by another writer for too long. */
const SQLITE_CODES = /^SQLITE_(FULL|IOERR|BUSY|READONLY|CANTOPEN)/;

/** Whether `err` means the store cannot be reached or written now (a retry may succeed), not a bad query. */
export function isStoreUnavailable(err: unknown): boolean {
  if (err instanceof GatewayError) return err.code === 'store_unavailable';
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NET_CODES.has(code) || PG_STATES.has(code) || code.startsWith('08') || SQLITE_CODES.test(code)) return true;
  }
  return PG_MESSAGES.test(err.message);
}

/** The error a caller sees: 503 + Retry-After for an unreachable store, else `err` as it is. */
export function storeError(err: unknown): unknown {
  if (err instanceof GatewayError || !isStoreUnavailable(err)) return err;
  return storeUnavailable(5, err);
}
