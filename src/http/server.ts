import { getRequestListener } from '@hono/node-server';
import { createServer, IncomingMessage, ServerResponse, type OutgoingHttpHeader, type OutgoingHttpHeaders, type Server } from 'node:http';
import type { ServerSettings } from '../config/schema.js';

/** A declared remainder up to this size is read and discarded quickly enough to keep the connection. */
const DRAINABLE_BYTES = 1024 * 1024;

const drainable = (req: IncomingMessage): boolean => {
  if (req.headers['transfer-encoding'] !== undefined) return false;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length <= DRAINABLE_BYTES;
};

/** What node needs from the app: Hono's `fetch`. */
export type FetchHandler = Parameters<typeof getRequestListener>[0];

/**
 * The gateway's node HTTP server: slow-client timeouts, a connection cap, and `Connection: close`
 * when a connection must not be reused, so a client never sends its next request on a socket the
 * server is about to close (that request would be reset, not answered):
 * - while draining (after SIGTERM): every response closes its connection;
 * - a 413 sent before the body was received, when the rest is chunked (unknown length) or large:
 *   @hono/node-server discards the rest of such a body for at most 500 ms, then destroys the
 *   socket. Other early answers (400, 401 before the body was read) keep the connection: their
 *   small remainder is discarded, and closing would reset the request whose body is in flight.
 */
export class HttpServer {
  readonly server: Server;
  private draining = false;

  constructor(fetch: FetchHandler, settings: ServerSettings) {
    const self = this;
    // A ServerResponse subclass per server: the check runs on every response without a closure per request.
    class GatewayResponse extends ServerResponse<IncomingMessage> {
      override writeHead(
        statusCode: number,
        reasonOrHeaders?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
        headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
      ): this {
        if (self.draining || (statusCode === 413 && !this.req.complete && !drainable(this.req))) this.setHeader('connection', 'close');
        return typeof reasonOrHeaders === 'string' ? super.writeHead(statusCode, reasonOrHeaders, headers) : super.writeHead(statusCode, reasonOrHeaders);
      }
    }
    this.server = createServer(
      {
        ServerResponse: GatewayResponse,
        headersTimeout: settings.headersTimeoutMs,
        requestTimeout: settings.requestTimeoutMs,
        keepAliveTimeout: settings.keepAliveTimeoutMs,
      },
      getRequestListener(fetch),
    );
    this.server.maxConnections = settings.maxConnections;
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
