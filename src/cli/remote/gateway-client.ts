import type { ParsedArgs } from '../parse-args.js';
import { UsageError } from '../usage-error.js';

/**
 * What the gateway refused, or why it could not be asked: the server's status, its stable error
 * code and message (both error shapes: `{error, code, request_id}` and OIP's `{error}`), or
 * status 0 with code `unreachable` when no answer came. `modelgate` prints it as one line and
 * exits 3 for 401/403 (refused by role), else 1.
 */
export class GatewayClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'GatewayClientError';
  }

  /** Refused by role: no token, an unknown one (401), or one below the route's role (403). */
  get refused(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export interface RemoteTarget {
  url: string;
  token: string | undefined;
}

/** The options every command that can act on a running gateway accepts. */
export const REMOTE_OPTIONS = ['url', 'token'] as const;

/**
 * The gateway a command acts on: --url, else MODELGATE_URL; undefined when neither is set (the
 * command then works on the local registry database: bootstrap only). Token: --token, else
 * MODELGATE_TOKEN, else MODELGATE_ADMIN_TOKEN.
 */
export function remoteTarget(parsed: ParsedArgs, env: NodeJS.ProcessEnv = process.env): RemoteTarget | undefined {
  const url = parsed.options.get('url') ?? (env.MODELGATE_URL || undefined);
  if (url === undefined) return undefined;
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw new UsageError(`--url must be an http(s) URL, not '${url.slice(0, 100)}'`);
  }
  if (parsedUrl.protocol !== 'http:' && parsedUrl.protocol !== 'https:') throw new UsageError(`--url must be an http(s) URL, not '${url.slice(0, 100)}'`);
  return { url: url.replace(/\/+$/, ''), token: parsed.options.get('token') ?? (env.MODELGATE_TOKEN || env.MODELGATE_ADMIN_TOKEN || undefined) };
}

/** Like remoteTarget, for commands that only work against a running gateway. */
export function requireRemote(parsed: ParsedArgs, env: NodeJS.ProcessEnv = process.env): GatewayClient {
  const target = remoteTarget(parsed, env);
  if (!target) throw new UsageError('this command talks to a running gateway: --url <http://host:port> or MODELGATE_URL');
  return new GatewayClient(target);
}

export interface RequestOptions {
  json?: unknown;
  body?: FormData;
  headers?: Record<string, string>;
  /** Statuses answered with a body the caller reads (e.g. readiness's 503), not thrown. */
  accept?: readonly number[];
}

export interface GatewayResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Long enough for a validation gate on a large holdout set; a hung gateway still ends the command. */
const TIMEOUT_MS = 10 * 60_000;

/** The gateway's admin and data APIs over HTTP (fetch), with its bearer token. */
export class GatewayClient {
  constructor(readonly target: RemoteTarget) {}

  get<T>(path: string, opts: RequestOptions = {}): Promise<GatewayResponse<T>> {
    return this.request<T>('GET', path, opts);
  }

  post<T>(path: string, opts: RequestOptions = {}): Promise<GatewayResponse<T>> {
    return this.request<T>('POST', path, opts);
  }

  delete<T>(path: string, opts: RequestOptions = {}): Promise<GatewayResponse<T>> {
    return this.request<T>('DELETE', path, opts);
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<GatewayResponse<T>> {
    const headers = new Headers(opts.headers);
    if (this.target.token) headers.set('authorization', `Bearer ${this.target.token}`);
    let body: string | FormData | undefined = opts.body;
    if (opts.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(opts.json);
    }
    let res: Response;
    try {
      res = await fetch(`${this.target.url}${path}`, { method, headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new GatewayClientError(0, 'unreachable', `cannot reach ${this.target.url}: ${why}`);
    }
    const text = await res.text();
    const parsed = parseJson(text);
    if (res.ok || opts.accept?.includes(res.status)) return { status: res.status, headers: res.headers, body: parsed as T };
    throw errorOf(res, parsed, text);
  }
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function errorOf(res: Response, parsed: unknown, text: string): GatewayClientError {
  const body = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const message = str(body.error) ?? (text.trim().slice(0, 200) || res.statusText || 'no message');
  const code = str(body.code) ?? codeOf(res.status);
  const details = typeof body.details === 'object' && body.details !== null ? (body.details as Record<string, unknown>) : undefined;
  return new GatewayClientError(res.status, code, message, str(body.request_id) ?? res.headers.get('x-request-id') ?? undefined, details);
}

/** OIP's error shape has no code: name the status instead. */
function codeOf(status: number): string {
  const names: Record<number, string> = { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 409: 'conflict', 422: 'unprocessable', 429: 'too_many_requests', 503: 'unavailable' };
  return names[status] ?? `http_${status}`;
}

/** A path segment (model names and versions are checked by the gateway; this only keeps the path a path). */
export const seg = (s: string) => encodeURIComponent(s);
