import { Api, ApiError } from './api.js';
import { AuditView } from './audit-view.js';
import { LiveCharts } from './charts.js';
import type { ConsoleContext } from './context.js';
import { fill, h, refill } from './dom.js';
import { lookupView } from './lookup-view.js';
import { modelsView } from './models-view.js';
import { routingPanel } from './routing-panel.js';
import { clearToken, loadToken, saveToken } from './session.js';
import type { AnalysisView, ModelSummary, Principal, RoutingView, VersionDetail } from './types.js';

const main = document.getElementById('main') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
/** Models and routing are reloaded this often (others may act too); charts scrape every second. */
const REFRESH_MS = 5000;

function signInForm(error?: string): void {
  const token = h('input', { id: 'token', name: 'token', type: 'password', required: true, autocomplete: 'off' });
  const remember = h('input', { id: 'remember', name: 'remember', type: 'checkbox' });
  const form = h(
    'form',
    { class: 'signin panel', 'aria-labelledby': 'signin-title' },
    h('h2', { id: 'signin-title' }, 'Sign in'),
    h('p', {}, 'Use a registry token (viewer, deployer, approver or admin). It is kept for this tab only unless you tick "remember".'),
    h('label', { for: 'token' }, 'Registry token'),
    token,
    h('div', { class: 'check' }, remember, h('label', { for: 'remember' }, 'Remember on this device')),
    error ? h('p', { class: 'error', role: 'alert' }, error) : null,
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void signIn(token.value.trim(), remember.checked);
  });
  fill(who);
  fill(main, form);
  token.focus();
}

async function signIn(token: string, remember: boolean | undefined): Promise<void> {
  const api = new Api(token);
  try {
    const me = await api.get<Principal>('/admin/whoami');
    if (remember !== undefined) saveToken(token, remember);
    showConsole(api, me);
  } catch (err) {
    if (remember === undefined) clearToken(); // a stored token that no longer works
    signInForm(err instanceof ApiError && err.status === 401 ? 'That token is not valid (or was revoked).' : `Sign-in failed: ${(err as Error).message}`);
  }
}

function section(id: string, title: string, ...body: Node[]): HTMLElement {
  return h('section', { id, 'aria-labelledby': `${id}-title` }, h('h2', { id: `${id}-title` }, title), ...body);
}

function showConsole(api: Api, me: Principal): void {
  const status = h('p', { id: 'status', role: 'status', class: 'status', tabindex: -1 });
  const models = h('div', { 'data-view': 'models' });
  const routing = h('div', { 'data-view': 'routing' });
  const live = new LiveCharts();
  const signOut = h('button', { type: 'button' }, 'Sign out');
  fill(who, h('span', { 'data-principal': me.name }, `Signed in as ${me.name} (${me.role})`), ' ', signOut);

  let summaries: ModelSummary[] = [];
  const details = new Map<string, VersionDetail>();
  const renderModels = () => refill(models, [modelsView(ctx, summaries, details, (m) => live.states(m))], status);

  const ctx: ConsoleContext = {
    api,
    me,
    notify: (message, kind = 'ok') => {
      status.textContent = message;
      status.className = `status ${kind}`;
    },
    settleFocus: () => {
      if (!document.activeElement || document.activeElement === document.body) status.focus();
    },
    refresh: async () => {
      try {
        summaries = (await api.get<{ models: ModelSummary[] }>('/admin/models')).models;
        await Promise.all(
          summaries.flatMap((m) =>
            m.versions.map(async (v) => details.set(`${m.name}@${v.version}`, await api.get<VersionDetail>(`/admin/models/${encodeURIComponent(m.name)}/versions/${encodeURIComponent(v.version)}`))),
          ),
        );
        live.setModels(new Map(summaries.map((m) => [m.name, m.versions.map((v) => v.version)])));
        renderModels();
        const views = await Promise.all(
          summaries.map((m) =>
            api.get<RoutingView>(`/admin/models/${encodeURIComponent(m.name)}/routing`).then(
              async (r) => {
                // A model without an analysis configured answers 404: the panel says so.
                const analysis = await api.get<AnalysisView>(`/admin/models/${encodeURIComponent(m.name)}/analysis`).catch(() => undefined);
                return routingPanel(ctx, { ...r, analysis });
              },
              (err: Error) => h('p', { class: 'error' }, `${m.name}: routing unavailable (${err.message})`),
            ),
          ),
        );
        refill(routing, views, status);
      } catch (err) {
        ctx.notify(`Could not load the registry: ${(err as Error).message}`, 'error');
      }
      await audit.load();
    },
  };
  const audit = new AuditView(ctx);
  let loadStateKey = '';
  live.onScrape = () => {
    // Load state comes from /metrics: re-render the models table only when it changed.
    const key = summaries.map((m) => [...live.states(m.name)].map(([v, s]) => `${v}:${s.state}`).join()).join('|');
    if (key !== loadStateKey) {
      loadStateKey = key;
      renderModels();
    }
  };

  const timer = setInterval(() => void ctx.refresh(), REFRESH_MS);
  signOut.addEventListener('click', () => {
    clearInterval(timer);
    live.stop();
    clearToken();
    signInForm();
  });

  const nav = h(
    'nav',
    { 'aria-label': 'Sections' },
    ...[
      ['models', 'Models'],
      ['routing', 'Routing'],
      ['live', 'Live'],
      ['audit', 'Audit log'],
      ['lookup', 'Prediction lookup'],
    ].map(([id, label]) => h('a', { href: `#${id}` }, label ?? '')),
  );
  fill(
    main,
    nav,
    status,
    section('models', 'Models and versions', models),
    section('routing', 'Live routing', routing),
    section('live', 'Live traffic', live.el),
    section('audit', 'Audit log', audit.el),
    section('lookup', 'Prediction lookup', lookupView(ctx)),
  );
  live.start();
  void ctx.refresh();
}

const stored = loadToken();
if (stored) void signIn(stored, undefined);
else signInForm();
