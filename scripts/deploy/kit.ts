import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { render, type K8sObject } from './kustomize.js';
import { policyErrors } from './policy.js';
import { schemaErrors, unknownFieldErrors } from './schema-check.js';

export const K8S_DIR = 'deploy/k8s';
export const ALERTS_FILE = 'deploy/observability/alerts.yml';
export const PROMETHEUS_RULE_FILE = `${K8S_DIR}/base/prometheusrule.yaml`;

export const overlays = (root = '.') => readdirSync(join(root, K8S_DIR, 'overlays')).sort();

/** The PrometheusRule manifest generated from the alert rules file (the single source). */
export function prometheusRuleYaml(root = '.'): string {
  const rules = parse(readFileSync(join(root, ALERTS_FILE), 'utf8')) as { groups: unknown[] };
  const object = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'modelgate', labels: { 'app.kubernetes.io/name': 'modelgate' } },
    spec: { groups: rules.groups },
  };
  return `# Generated from ${ALERTS_FILE} by \`npm run deploy:sync\`; edit that file, not this one.\n${stringify(object, { lineWidth: 0 })}`;
}

/** Every error of one rendered overlay: schemas, unknown fields, the kit's policy. */
export function overlayErrors(objects: K8sObject[], root = '.'): string[] {
  return [...schemaErrors(objects), ...unknownFieldErrors(objects, root), ...policyErrors(objects)];
}

/** `kubectl kustomize` of the same overlay, when kubectl is installed: the renderer must agree with it. */
export function kubectlDifference(overlayDir: string, ours: K8sObject[]): string | undefined {
  const out = spawnSync('kubectl', ['kustomize', overlayDir], { encoding: 'utf8' });
  if (out.error) return undefined;
  if (out.status !== 0) return `kubectl kustomize failed: ${out.stderr.trim()}`;
  const theirs = parseAllDocuments(out.stdout).map((d) => d.toJS() as K8sObject);
  const key = (o: K8sObject) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`;
  const byKey = new Map(theirs.map((o) => [key(o), o]));
  if (theirs.length !== ours.length) return `kubectl renders ${theirs.length} objects, the renderer ${ours.length}`;
  for (const o of ours) if (!isDeepStrictEqual(byKey.get(key(o)), o)) return `${key(o)} differs from kubectl kustomize`;
  return '';
}

export const hasKubectl = () => !spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).error;
