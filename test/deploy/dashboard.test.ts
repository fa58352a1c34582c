import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { GatewayMetrics } from '../../src/metrics/gateway-metrics.js';
import { ALERTS_FILE } from '../../scripts/deploy/kit.js';
import { requireService } from '../support/services.js';

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}
const dashboard = JSON.parse(readFileSync('deploy/observability/grafana/dashboards/modelgate.json', 'utf8')) as { uid: string; panels: Panel[] };
const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));
const hasPromtool = requireService('prometheus-tools', spawnSync('promtool', ['--version']).status === 0);

/** Every series name the gateway exposes: each family plus its histogram/summary suffixes. */
async function exposedNames(): Promise<Set<string>> {
  const metrics = new GatewayMetrics();
  const names = new Set<string>(['up']);
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    for (const suffix of ['', '_bucket', '_sum', '_count']) names.add(`${m.name}${suffix}`);
  }
  return names;
}
const metricNames = (expr: string) => [...expr.matchAll(/\b((?:modelgate|process|nodejs)_[a-z0-9_]+)\s*[{[(]/g)].map((m) => m[1] as string);

describe('the Grafana dashboard and the alert rules', () => {
  it('cover traffic, errors, latency, cache, batching, routing split, fallbacks and shadow agreement', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join('\n');
    for (const topic of ['predictions/s by version', 'errors/s', 'p50 / p99', 'cache hit rate', 'batch size', 'routing split', 'fallbacks', 'shadow agreement']) {
      expect(titles).toContain(topic);
    }
  });

  it('query only metrics the gateway exposes, under their names', async () => {
    const names = await exposedNames();
    const rules = readFileSync(ALERTS_FILE, 'utf8');
    const used = [...exprs.flatMap((e) => metricNames(e.expr)), ...metricNames(rules)];
    expect(used.length).toBeGreaterThan(30);
    expect(used.filter((n) => !names.has(n))).toEqual([]);
  });

  it.skipIf(!hasPromtool)('hold PromQL that parses (promtool check rules on the panel queries)', () => {
    const concrete = (e: string) => e.replaceAll('$__rate_interval', '5m').replaceAll('$__range', '1h').replaceAll('$model', '.*').replaceAll('$instance', '.*');
    const rules = exprs.map((e, i) => ({ record: `dashboard:panel_${i}`, expr: concrete(e.expr) }));
    const file = join(mkdtempSync(join(tmpdir(), 'mg-dash-')), 'dashboard-rules.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});
