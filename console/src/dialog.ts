import { h } from './dom.js';

let seq = 0;

/**
 * A modal confirmation (<dialog>: focus is trapped and Escape cancels) with an optional reason.
 * Resolves to the reason ('' when none was asked) or null when cancelled.
 */
export function confirmAction(opts: { title: string; body: string; confirm: string; reason?: 'required' | 'optional' }): Promise<string | null> {
  const id = `confirm-${++seq}`;
  const reason = h('textarea', { id: `${id}-reason`, rows: 2, maxlength: 1000, required: opts.reason === 'required' });
  const error = h('p', { class: 'error', role: 'alert' });
  const ok = h('button', { type: 'button', class: 'danger' }, opts.confirm);
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const dlg = h(
    'dialog',
    { 'aria-labelledby': `${id}-title`, class: 'confirm' },
    h('h2', { id: `${id}-title` }, opts.title),
    h('p', {}, opts.body),
    opts.reason ? h('label', { for: `${id}-reason` }, `Reason${opts.reason === 'required' ? ' (required)' : ''}`) : null,
    opts.reason ? reason : null,
    error,
    h('div', { class: 'buttons' }, ok, cancel),
  );
  document.body.append(dlg);
  dlg.showModal();
  (opts.reason ? reason : cancel).focus();
  return new Promise((resolve) => {
    const done = (value: string | null) => {
      dlg.close();
      dlg.remove();
      resolve(value);
    };
    ok.addEventListener('click', () => {
      const text = reason.value.trim();
      if (opts.reason === 'required' && !text) {
        error.textContent = 'Give a reason: it goes into the audit log.';
        reason.focus();
        return;
      }
      done(text);
    });
    cancel.addEventListener('click', () => done(null));
    dlg.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(null);
    });
  });
}
