import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERTS_FILE, PROMETHEUS_RULE_FILE, prometheusRuleYaml } from '../../scripts/deploy/kit.js';
import { requireService } from '../support/services.js';

const hasPromtool = requireService('prometheus-tools', spawnSync('promtool', ['--version']).status === 0);
const promtool = (...args: string[]) => {
  const r = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
};

describe.skipIf(!hasPromtool)('alert rules (promtool)', () => {
  it('pass promtool check rules', () => {
    const r = promtool('check', 'rules', ALERTS_FILE);
    expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  it('pass their unit tests (promtool test rules)', () => {
    const r = promtool('test', 'rules', 'deploy/observability/alerts.test.yml');
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  it('a unit test fails when a rule changes (the tests are not vacuous)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-rules-'));
    writeFileSync(join(dir, 'alerts.yml'), readFileSync(ALERTS_FILE, 'utf8').replace('> 0.05\n        for: 5m', '> 0.5\n        for: 5m'));
    copyFileSync('deploy/observability/alerts.test.yml', join(dir, 'alerts.test.yml'));
    const r = promtool('test', 'rules', join(dir, 'alerts.test.yml'));
    expect(r.out).toMatch(/ModelgateHighErrorRate/);
    expect(r.status).not.toBe(0);
  });

  it('ship the same rules in the PrometheusRule of the Kubernetes kit', () => {
    expect(readFileSync(PROMETHEUS_RULE_FILE, 'utf8')).toBe(prometheusRuleYaml());
  });
});
