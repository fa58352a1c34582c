import { getRequestListener } from '@hono/node-server';
import { createServer, IncomingMessage, ServerResponse, type OutgoingHttpHeader, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { Socket } from 'node:net';
import type { ServerSettings, TrustedProxies } from '../config/schema.js';
import { ConnectionGuard, type CloseReason } from './connection-guard.js';
import { errorBody } from './middleware/error-handler.js';
import { requestIdFrom } from './middleware/serving.js';

/** A declared remainder up to this size is read and discarded quickly enough to keep the connection. */
const DRAINABLE_BYTES = 1024 * 1024;
/**
 * A connection closed before its request body was read keeps reading (and discarding) the rest
 * for at most this long after the answer, as nginx's lingering close does: closing a socket
 * with unread bytes sends a reset, and a client still sending then sees the reset, not the answer.
 */
export const LINGER_MS = 5_000;

const drainable = (req: IncomingMessage): boolean => {
  if (req.headers['transfer-encoding'] !== undefined) return false;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length <= DRAINABLE_BYTES;
};

/** What node needs from the app: Hono's `fetch`. */
export type FetchHandler = Parameters<typeof getRequestListener>[0];

/** What the server reports about connections it closes itself. */
export interface HttpServerOptions {
  trustedProxies?: TrustedProxies;
  onConnectionClosed?: (reason: CloseReason) => void;
}

/**
 * The gateway's node HTTP server: slow-client timeouts, connection admission (ConnectionGuard),
 * and `Connection: close` when a connection must not be reused, so a client never sends its next
 * request on a socket the server is about to close (that request would be reset, not answered):
 * - while draining (after SIGTERM): every response closes its connection;
 * - an answer sent before the body was received, when the rest is chunked (unknown length) or
 *   large: the connection closes after a lingering read of the rest (LINGER_MS). Other early
 *   answers (400, 401 before a small body was read) keep the connection; node discards the rest.
 */
export class HttpServer {
  readonly server: Server;
  readonly connections: ConnectionGuard;
  private draining = false;

  constructor(fetch: FetchHandler, settings: ServerSettings, options: HttpServerOptions = {}) {
    const self = this;
    // A ServerResponse subclass per server: the checks run on every response without a closure per request.
    class GatewayResponse extends ServerResponse<IncomingMessage> {
      override writeHead(
        statusCode: number,
        reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
        headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
      ): this {
        if (self.draining) this.setHeader('connection', 'close');
        else if (!this.req.complete && !drainable(this.req)) {
          this.setHeader('connection', 'close');
          if (this.socket) lingerOnClose(this.socket);
        }
        return typeof reasonOrHeaders === 'string' ? super.writeHead(statusCode, reasonOrHeaders, headers) : super.writeHead(statusCode, reasonOrHeaders);
      }

      /**
       * Node calls this once the answer is handed to the socket: the connection may be idle again.
       * A method, not a `close` listener per response (its wrapper, add and remove cost ~3-4 µs a
       * request on a cache hit). An exchange cut short instead ends with its socket's `close`,
       * which the guard already follows per connection.
       */
      override detachSocket(socket: Socket): void {
        super.detachSocket(socket);
        self.connections.requestEnded(socket);
      }
    }
    this.connections = new ConnectionGuard(
      {
        maxConnections: settings.maxConnections,
        maxConnectionsPerClient: settings.maxConnectionsPerClient,
        maxBufferedBytesPerConnection: settings.maxBufferedBytesPerConnection,
        trustedProxies: options.trustedProxies ?? 0,
      },
      options.onConnectionClosed ?? (() => {}),
    );
    // The body of an early answer is discarded by node (keep-alive) or by the lingering close, not by a 500 ms drain that resets.
    const app = getRequestListener(fetch, { autoCleanupIncoming: false });
    this.server = createServer(
      {
        ServerResponse: GatewayResponse,
        headersTimeout: settings.headersTimeoutMs,
        requestTimeout: settings.requestTimeoutMs,
        keepAliveTimeout: settings.keepAliveTimeoutMs,
        // Node checks the header and request timeouts on this interval (default 30 s, which made a 15 s timeout fire at ~30 s).
        connectionsCheckingInterval: Math.min(1000, Math.floor(settings.headersTimeoutMs / 4)),
        // A request without Host is answered below in the error shape, not with node's bare 400.
        requireHostHeader: false,
      },
      // Returns nothing: an emitter inspects whatever a listener returns (a promise here), per request.
      (req, res): void => {
        if (!this.connections.requestStarted(req.socket)) {
          answer(req, res, 503, 'overloaded', 'too many connections; retry shortly', { 'retry-after': '1', connection: 'close' });
          return;
        }
        if (!req.headers.host) {
          answer(req, res, 400, 'bad_request', 'the request has no Host header');
          return;
        }
        void app(req, res);
      },
    );
    // Node's own cap resets new connections; the guard closes idle ones first. This is a backstop for refused sockets.
    this.server.maxConnections = settings.maxConnections * 2;
    this.connections.attach(this.server);
  }

  /** Listen; resolves with the bound port. */
  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /** From now on every response carries `Connection: close`; the listener still accepts. */
  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  /**
   * Stop accepting, close idle keep-alive connections, and wait for every request that arrived
   * (including bodies still arriving) to be answered. Resolves true when all finished, false
   * when `timeoutMs` passed first (then the remaining connections are destroyed).
   */
  close(timeoutMs: number): Promise<boolean> {
    this.draining = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.server.closeAllConnections();
        resolve(false);
      }, timeoutMs);
      this.server.close(() => {
        clearTimeout(timer);
        resolve(true);
      });
      this.server.closeIdleConnections();
    });
  }
}

/** An answer the app never sees (no Host, a refused connection), in the app's error shape with a request id. */
function answer(req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const id = requestIdFrom(typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : undefined);
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const body = JSON.stringify(errorBody(path, message, code, id));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': id, ...extra });
  res.end(body);
}

/**
 * When node closes this socket after the last answer, half-close instead: send FIN, keep
 * reading the client's remaining bytes (node's parser discards them), and destroy after
 * LINGER_MS or when the client closes.
 */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = function lingeringClose(this: Socket) {
    if (this.destroyed) return;
    this.end();
    const timer = setTimeout(() => this.destroy(), LINGER_MS);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', () => this.destroy());
    this.resume();
  };
}
