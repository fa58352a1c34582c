import { act, type ConsoleContext } from './context.js';
import { confirmAction } from './dialog.js';
import { h, table } from './dom.js';
import { can } from './roles.js';
import type { RoutingView } from './types.js';

const constraintText = (c: unknown): string =>
  Array.isArray(c)
    ? c
        .map((x: { contextName?: string; operator?: string; values?: string[] }) => `${x.contextName ?? '?'} ${x.operator ?? ''} ${(x.values ?? []).join(',')}`)
        .join(' and ')
    : String(c);

const fmt = (x: number | null): string => (x === null ? '-' : String(Math.round(x * 1e4) / 1e4));

/** The live routing of one model: flag, effective split, pins, rollback override, shadow, and the rollback actions. */
export function routingPanel(ctx: ConsoleContext, r: RoutingView): HTMLElement {
  const enc = encodeURIComponent(r.model);
  const bar = h('div', { class: 'split-bar', 'aria-hidden': 'true' });
  r.effective_split.forEach((s, i) => {
    const seg = h('span', { class: `seg seg-${i % 4}${s.version === r.stable_version ? ' stable' : ''}` }, `${s.version} ${s.percent}%`);
    seg.style.width = `${Math.max(s.percent, 0)}%`; // CSSOM, not a style attribute: allowed by the CSP
    bar.append(seg);
  });
  const rollback = async () => {
    const reason = await confirmAction({
      title: `Roll back ${r.model}?`,
      body: `All traffic goes to the stable version ${r.stable_version} now, whatever the flag says, until the rollback is cleared.`,
      confirm: 'Roll back',
      reason: 'required',
    });
    if (reason === null) return;
    await act(ctx, `rollback of ${r.model}`, () => ctx.api.call('POST', `/admin/models/${enc}/rollback`, { reason }));
  };
  const clear = async () => {
    const ok = await confirmAction({ title: `Clear the rollback of ${r.model}?`, body: 'The flag routes traffic again.', confirm: 'Clear rollback' });
    if (ok === null) return;
    await act(ctx, `clearing the rollback of ${r.model}`, () => ctx.api.call('DELETE', `/admin/models/${enc}/rollback`));
  };
  const actions = can(ctx.me, 'rollback')
    ? r.rollback
      ? h('button', { type: 'button', onclick: clear }, 'Clear rollback')
      : h('button', { type: 'button', class: 'danger', onclick: rollback }, `Roll back to ${r.stable_version}`)
    : h('p', { class: 'muted' }, `Rollback needs the deployer role; you are ${ctx.me.role}.`);

  return h(
    'section',
    { class: 'panel', 'data-routing': r.model, 'aria-labelledby': `routing-${r.model}` },
    h('h3', { id: `routing-${r.model}` }, r.model),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Flag'),
      h('dd', {}, `${r.flag.name} (${r.flag.source}) · ${!r.flag.defined ? 'not defined' : r.flag.enabled ? 'enabled' : 'disabled'}`),
      h('dt', {}, 'Stable version'),
      h('dd', {}, r.stable_version),
      h('dt', {}, 'Rollback'),
      h('dd', { class: r.rollback ? 'alert-text' : '' }, r.rollback ? `active since ${r.rollback.since} by ${r.rollback.actor}${r.rollback.reason ? `: ${r.rollback.reason}` : ''}` : 'none'),
      h('dt', {}, 'Shadow'),
      h('dd', {}, r.shadow ? JSON.stringify(r.shadow) : 'none'),
      h('dt', {}, 'Canary analysis'),
      h(
        'dd',
        {},
        r.analysis
          ? `${r.analysis.status}: ${r.analysis.canary ?? '?'} at ${r.analysis.step.percent} % (step ${r.analysis.step.index + 1} of ${r.analysis.step.steps.length})`
          : 'not configured',
      ),
    ),
    r.analysis?.checks?.length
      ? table(
          `${r.model} canary checks`,
          ['Check', 'Canary', 'Stable', 'Threshold', 'Samples', 'Verdict'],
          r.analysis.checks.map((c) => [c.name, fmt(c.value), fmt(c.stable), c.threshold, String(c.samples), c.verdict]),
        )
      : h('span', {}),
    bar,
    table(
      `${r.model} effective split`,
      ['Version', 'Share', 'Why'],
      r.effective_split.map((s) => [s.version, `${s.percent} %`, s.via]),
      { class: 'split' },
    ),
    r.conditional.length
      ? table(
          `${r.model} pins`,
          ['When', 'Goes to'],
          r.conditional.map((c) => [constraintText(c.constraints), c.variants.map((v) => v.target).join(', ')]),
        )
      : h('p', { class: 'muted' }, 'No pins.'),
    h('div', { class: 'actions' }, actions),
  );
}
