import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { TrustedProxies } from '../config/schema.js';
import { trustsPeer } from '../core/client-address.js';

/** Why the gateway closed a connection itself (the `reason` label of modelgate_connections_closed_total). */
export type CloseReason = 'idle_evicted' | 'client_idle_evicted' | 'refused' | 'client_refused' | 'slow_reader';

export interface ConnectionLimits {
  maxConnections: number;
  /** 0: no cap. */
  maxConnectionsPerClient: number;
  /** Bytes a connection may hold unsent while its client reads nothing. */
  maxBufferedBytesPerConnection: number;
  trustedProxies: TrustedProxies;
}

interface ConnState {
  readonly client: string | undefined;
  /** Requests received and not yet answered. */
  active: number;
  /** Bytes handed to the kernel at the last sweep while over the buffered limit (-1: not over). */
  sentAtSweep: number;
  /** Past a cap with nothing idle to close: its requests get 503 and the connection closes. */
  refused: boolean;
}

/** How often buffered bytes are checked: a client that read nothing for one to two sweeps is closed. */
const SWEEP_MS = 1000;

/**
 * Connection admission for the node server, by connection not by request: past `maxConnections`
 * (or a client's `maxConnectionsPerClient`) the connection idle the longest is closed so the new
 * client is served (node's own cap resets the newcomer while idle sockets hold every slot); only
 * when every connection has a request in flight is the newcomer refused, with a 503 to its
 * request. A connection whose client stops reading is closed once its unsent bytes pass the
 * per-connection limit without progress, so unread answers cannot pile up in memory.
 *
 * The per-client cap counts connections by socket peer: a peer that is a trusted proxy forwards
 * for many clients, so it is exempt (and with a hop count every peer is a proxy: no per-client cap).
 */
export class ConnectionGuard {
  private readonly conns = new Map<Socket, ConnState>();
  /** Idle connections, longest idle first (Map keeps insertion order; a socket is re-inserted when it goes idle). */
  private readonly idle = new Set<Socket>();
  private readonly perClient = new Map<string, Set<Socket>>();
  private readonly exempt: (peer: string) => boolean;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly onClose: (reason: CloseReason) => void,
  ) {
    this.exempt = trustsPeer(limits.trustedProxies);
  }

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.accept(socket));
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    this.sweeper.unref();
    server.once('close', () => clearInterval(this.sweeper));
  }

  get open(): number {
    return this.conns.size;
  }

  /** A request arrived on `socket`; false when the connection was refused (answer 503 and close). */
  requestStarted(socket: Socket): boolean {
    const s = this.conns.get(socket);
    if (!s) return true;
    s.active++;
    this.idle.delete(socket);
    return !s.refused;
  }

  /** Its answer was handed to the socket (or the exchange ended): the connection may be idle again. */
  requestEnded(socket: Socket): void {
    const s = this.conns.get(socket);
    if (!s) return;
    s.active = Math.max(0, s.active - 1);
    if (s.active === 0 && !s.refused && !socket.destroyed) this.idle.add(socket);
  }

  private accept(socket: Socket): void {
    const client = socket.remoteAddress;
    const state: ConnState = { client, active: 0, sentAtSweep: -1, refused: false };
    this.conns.set(socket, state);
    socket.once('close', () => this.forget(socket, state));
    const capped = this.limits.maxConnectionsPerClient > 0 && client !== undefined && !this.exempt(client);
    if (capped) {
      let mine = this.perClient.get(client);
      if (!mine) this.perClient.set(client, (mine = new Set()));
      mine.add(socket);
      if (mine.size > this.limits.maxConnectionsPerClient) {
        const victim = this.oldestIdle((s) => mine.has(s));
        if (victim) this.close(victim, 'client_idle_evicted');
        else return this.refuse(state, 'client_refused');
      }
    }
    if (this.conns.size > this.limits.maxConnections) {
      const victim = this.oldestIdle();
      if (victim) this.close(victim, 'idle_evicted');
      else return this.refuse(state, 'refused');
    }
    this.idle.add(socket);
  }

  private oldestIdle(match?: (s: Socket) => boolean): Socket | undefined {
    for (const s of this.idle) if (!match || match(s)) return s;
    return undefined;
  }

  /** Its request (if one comes) is answered 503 with Connection: close; until then the header timeout bounds it. */
  private refuse(state: ConnState, reason: CloseReason): void {
    state.refused = true;
    this.onClose(reason);
  }

  private close(socket: Socket, reason: CloseReason): void {
    this.idle.delete(socket);
    this.onClose(reason);
    socket.destroy();
  }

  private forget(socket: Socket, state: ConnState): void {
    this.conns.delete(socket);
    this.idle.delete(socket);
    if (state.client !== undefined) {
      const mine = this.perClient.get(state.client);
      if (mine?.delete(socket) && mine.size === 0) this.perClient.delete(state.client);
    }
  }

  /** Close connections holding more unsent bytes than allowed that sent nothing since the last sweep. */
  private sweep(): void {
    const limit = this.limits.maxBufferedBytesPerConnection;
    for (const [socket, s] of this.conns) {
      const pending = socket.writableLength;
      if (pending <= limit) {
        s.sentAtSweep = -1;
        continue;
      }
      const sent = socket.bytesWritten - pending;
      if (s.sentAtSweep === sent) {
        this.close(socket, 'slow_reader');
        continue;
      }
      s.sentAtSweep = sent;
    }
  }
}
