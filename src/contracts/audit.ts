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
 * Where governance events go. The SQLite hash-chained log implements it; `NullAuditSink`
 * serves gateways started without a registry (tests of other layers).
 */
export interface AuditSink {
  append(event: AuditEvent): void;
}

export class NullAuditSink implements AuditSink {
  append(): void {}
}
