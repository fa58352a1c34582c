/** One governance event: who did what to which target, with the state before and after. */
export interface AuditEvent {
  actor: string;
  action: string;
  target: string;
  before?: unknown;
  after?: unknown;
  reason?: string;
}

/**
 * Where governance events go. The hash-chained log (SQLite or PostgreSQL) implements it;
 * `NullAuditSink` serves gateways started without a registry (tests of other layers).
 */
export interface AuditSink {
  /** Resolves once the event is stored (a database write: never on the prediction path). */
  append(event: AuditEvent): Promise<unknown>;
}

export class NullAuditSink implements AuditSink {
  async append(): Promise<void> {}
}
