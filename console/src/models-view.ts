import { act, type ConsoleContext } from './context.js';
import { confirmAction } from './dialog.js';
import { fmt, h, table } from './dom.js';
import { can } from './roles.js';
import type { ModelSummary, VersionDetail } from './types.js';

export type LoadStates = Map<string, { state: string; provider?: string; runner?: string }>;

const enc = encodeURIComponent;

/** The holdout metrics of the manifest, e.g. "rmse 67431 · r2 0.969". */
function metricsText(d: VersionDetail | undefined): string {
  const m = d?.manifest.metrics;
  if (!m) return '–';
  return Object.entries(m)
    .filter(([k]) => k !== 'holdout_rows')
    .map(([k, v]) => `${k} ${Math.abs(v) >= 100 ? fmt(v, 0) : fmt(v, 3)}`)
    .join(' · ');
}

/** Promotion: a deployer requests (-> staging); an approver who did not register it approves (-> production). */
function promotionCell(ctx: ConsoleContext, model: string, d: VersionDetail | undefined, stage: string): HTMLElement | string {
  if (!d) return '–';
  const label = `${model}@${d.version}`;
  if ((stage === 'none' || stage === 'archived') && can(ctx.me, 'requestPromotion')) {
    return h('button', {
      type: 'button',
      'aria-label': `Request promotion of ${label} to staging`,
      onclick: async () => {
        const reason = await confirmAction({ title: `Request promotion of ${label}`, body: `${label} becomes the staging (canary candidate) version; an approver then approves it for production.`, confirm: 'Request promotion', reason: 'optional' });
        if (reason === null) return;
        await act(ctx, `promotion of ${label} to staging`, () => ctx.api.call('POST', `/admin/models/${enc(model)}/versions/${enc(d.version)}/promote`, { stage: 'staging', ...(reason ? { reason } : {}) }));
      },
    }, 'Request promotion');
  }
  if (stage !== 'staging') return '';
  // Four eyes: the registrant may not approve their own version (an admin may, audited as an override).
  const own = d.registered_by === ctx.me.name;
  const eyes = (text: string) => h('span', { class: 'four-eyes' }, `four eyes: ${text}`);
  if (!can(ctx.me, 'approveProduction')) return eyes(`awaiting an approver other than ${d.registered_by}`);
  const override = own && ctx.me.role === 'admin';
  if (own && !override) return eyes(`you registered ${label}: another approver must approve it`);
  const fourEyes = eyes(own ? 'you registered it: approving is an audited override' : `registered by ${d.registered_by}, approved by ${ctx.me.name}`);
  return h('span', {}, h('button', {
    type: 'button',
    'aria-label': `Approve ${label} for production`,
    onclick: async () => {
      const reason = await confirmAction({
        title: `Approve ${label} for production`,
        body: `The validation gate runs first; the current production version is archived. ${override ? 'You registered this version: this is a four-eyes override, audited.' : ''}`,
        confirm: 'Approve', reason: override ? 'required' : 'optional',
      });
      if (reason === null) return;
      await act(ctx, `approval of ${label}`, () => ctx.api.call('POST', `/admin/models/${enc(model)}/versions/${enc(d.version)}/promote`, { stage: 'production', ...(reason ? { reason } : {}), ...(override ? { override: true } : {}) }));
    },
  }, 'Approve for production'), ' ', fourEyes);
}

function loadCell(ctx: ConsoleContext, model: string, version: string, state: string | undefined): HTMLElement | string {
  if (!can(ctx.me, 'load')) return '';
  const loaded = state === 'ready';
  const verb = loaded ? 'Unload' : 'Load';
  return h('button', {
    type: 'button',
    'aria-label': `${verb} ${model}@${version}`,
    onclick: async () => {
      if (loaded) {
        const ok = await confirmAction({ title: `Unload ${model}@${version}?`, body: 'Requests routed to it fall back to the stable version until it is loaded again.', confirm: 'Unload' });
        if (ok === null) return;
      }
      await act(ctx, `${verb.toLowerCase()} of ${model}@${version}`, () => ctx.api.call('POST', `/v2/repository/models/${enc(model)}/${verb.toLowerCase()}?version=${enc(version)}`));
    },
  }, verb);
}

/** Models and their versions: stage, aliases, lineage, holdout metrics, provider/runner, load state, actions. */
export function modelsView(ctx: ConsoleContext, models: ModelSummary[], details: Map<string, VersionDetail>, states: (model: string) => LoadStates): HTMLElement {
  if (models.length === 0) return h('p', {}, 'No models in the registry.');
  return h('div', {}, ...models.map((m) => {
    const st = states(m.name);
    const aliasesOf = (v: string) => Object.entries(m.aliases).filter(([, to]) => to === v).map(([a]) => a);
    const rows = m.versions.map((v) => {
      const d = details.get(`${m.name}@${v.version}`);
      const s = st.get(v.version);
      const runtime = s?.provider ? `${s.provider} / ${s.runner ?? '?'}` : '–';
      return [
        h('strong', {}, v.version),
        h('span', { class: `stage stage-${v.stage}` }, v.stage),
        aliasesOf(v.version).join(', ') || '–',
        v.data_version,
        d ? `${d.parent_version ? `from ${d.parent_version}` : 'root'}${d.learner ? ` · ${d.learner}` : ''}` : '–',
        metricsText(d),
        runtime,
        h('span', { class: `state state-${s?.state ?? 'unknown'}`, 'data-state': s?.state ?? 'unknown' }, s?.state ?? 'not loaded'),
        h('div', { class: 'actions' }, loadCell(ctx, m.name, v.version, s?.state), promotionCell(ctx, m.name, d, v.stage)),
      ];
    });
    return h('section', { class: 'panel', 'aria-labelledby': `models-${m.name}` },
      h('h3', { id: `models-${m.name}` }, m.name, h('span', { class: 'muted' }, ` production ${m.production ?? '–'} · staging ${m.staging ?? '–'}`)),
      table(`${m.name} versions`, ['Version', 'Stage', 'Aliases', 'Data', 'Lineage', 'Holdout metrics', 'Provider / runner', 'Load state', 'Actions'], rows, { 'data-model': m.name }));
  }));
}
