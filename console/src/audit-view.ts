import type { ConsoleContext } from './context.js';
import { h, table } from './dom.js';
import type { AuditRecord, AuditVerify } from './types.js';

const PAGE = 15;

/**
 * The audit log, newest page first, with the chain's verify status. Rows are numbered 1..n
 * without gaps (verify checks that), so the newest page starts after n - PAGE.
 */
export class AuditView {
  readonly el = h('div', { class: 'audit' });
  /** The first seq shown is after+1; null: follow the newest page. */
  private after: number | null = null;

  constructor(private readonly ctx: ConsoleContext) {}

  async load(): Promise<void> {
    const { api } = this.ctx;
    let verify: AuditVerify;
    let records: AuditRecord[];
    try {
      verify = await api.get<AuditVerify>('/admin/audit/verify');
      const after = this.after ?? Math.max(0, verify.rows - PAGE);
      records = (await api.get<{ records: AuditRecord[] }>(`/admin/audit?after=${after}&limit=${PAGE}`)).records;
    } catch (err) {
      this.el.replaceChildren(h('p', { class: 'error' }, `Audit log: ${(err as Error).message}`));
      return;
    }
    const first = records[0]?.seq ?? 0;
    const last = records.at(-1)?.seq ?? 0;
    const older = h('button', { type: 'button', disabled: first <= 1 }, 'Older');
    const newer = h('button', { type: 'button', disabled: last >= verify.rows }, 'Newer');
    older.addEventListener('click', () => {
      this.after = Math.max(0, first - 1 - PAGE);
      void this.load();
    });
    newer.addEventListener('click', () => {
      const next = last;
      this.after = next + PAGE >= verify.rows ? null : next;
      void this.load();
    });
    this.el.replaceChildren(
      h(
        'p',
        { class: verify.ok ? 'verify ok' : 'verify broken', 'data-verify': verify.ok ? 'ok' : 'broken' },
        verify.ok ? `Chain verified: ${verify.rows} rows, none edited or missing.` : `Chain BROKEN at row ${verify.brokenAt ?? '?'}: ${verify.reason ?? ''}`,
      ),
      table(
        'audit log rows, newest first',
        ['#', 'Time', 'Actor', 'Action', 'Target', 'Reason'],
        [...records].reverse().map((r) => [String(r.seq), r.at.replace('T', ' ').slice(0, 19), r.actor, r.action, r.target, r.reason ?? '']),
        { class: 'audit-table' },
      ),
      h('div', { class: 'pager' }, older, h('span', {}, records.length ? ` rows ${first}–${last} of ${verify.rows} ` : ' no rows '), newer),
    );
  }
}
