import type { ConsoleContext } from './context.js';
import { h } from './dom.js';
import type { PredictionExplanation } from './types.js';

/** "Which version answered this request, and why": the prediction trace by request id. */
export function lookupView(ctx: ConsoleContext): HTMLElement {
  const input = h('input', { id: 'lookup-id', name: 'request-id', type: 'text', required: true, autocomplete: 'off', spellcheck: 'false' });
  const result = h('div', { class: 'lookup-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'inline-form' },
    h('label', { for: 'lookup-id' }, 'Request id'),
    input,
    h('button', { type: 'submit' }, 'Look up'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const id = input.value.trim();
    if (!id) return;
    void (async () => {
      try {
        const p = await ctx.api.get<PredictionExplanation>(`/admin/predictions/${encodeURIComponent(id)}`);
        result.replaceChildren(
          h(
            'dl',
            { class: 'facts' },
            ...(
              [
                ['Answered by', `${p.model}@${p.version}${p.stage ? ` (${p.stage})` : ''}`],
                ['Why', p.why],
                ['Route', `${p.route}${p.pin ? ` · pin ${p.pin}` : ''}`],
                ['Cache', p.cache],
                ['Latency', `${p.latencyMs.toFixed(2)} ms`],
                ['At', p.at],
                ['Promoted', p.promotion ? `${p.promotion.stage} by ${p.promotion.by} at ${p.promotion.at}${p.promotion.reason ? `: ${p.promotion.reason}` : ''}` : '–'],
              ] as const
            ).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
          ),
        );
      } catch (err) {
        result.replaceChildren(h('p', { class: 'error' }, (err as Error).message));
      }
    })();
  });
  return h('div', {}, form, result);
}
