import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { ConfigMap, PersistentVolumeClaim, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { PrometheusRule, ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { K8sObject } from './kustomize.js';

/**
 * Validation against the Kubernetes API schemas, two ways:
 * 1. kubernetes-models' validators (ajv, generated from the upstream OpenAPI (4.5.1, Kubernetes 1.27 APIs: the last release that installs on Node 20) and
 *    prometheus-operator's CRDs): types, required fields, enums, formats;
 * 2. a strict pass like `kubeconform -strict`: the objects are type-checked by the TypeScript
 *    compiler against the same package's generated interfaces, whose excess-property check
 *    refuses any field the schema does not define (a typo such as `readinesProbe`).
 */
interface Kind {
  model: { new (data: never): { validate(): void } };
  module: string;
  type: string;
}

const KINDS: Readonly<Record<string, Kind>> = {
  'v1/ServiceAccount': { model: ServiceAccount, module: 'kubernetes-models/v1/ServiceAccount', type: 'IServiceAccount' },
  'v1/ConfigMap': { model: ConfigMap, module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap' },
  'v1/Secret': { model: Secret, module: 'kubernetes-models/v1/Secret', type: 'ISecret' },
  'v1/Service': { model: Service, module: 'kubernetes-models/v1/Service', type: 'IService' },
  'v1/PersistentVolumeClaim': { model: PersistentVolumeClaim, module: 'kubernetes-models/v1/PersistentVolumeClaim', type: 'IPersistentVolumeClaim' },
  'apps/v1/Deployment': { model: Deployment, module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment' },
  'autoscaling/v2/HorizontalPodAutoscaler': { model: HorizontalPodAutoscaler, module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', type: 'IHorizontalPodAutoscaler' },
  'policy/v1/PodDisruptionBudget': { model: PodDisruptionBudget, module: 'kubernetes-models/policy/v1/PodDisruptionBudget', type: 'IPodDisruptionBudget' },
  'monitoring.coreos.com/v1/ServiceMonitor': { model: ServiceMonitor, module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', type: 'IServiceMonitor' },
  'monitoring.coreos.com/v1/PrometheusRule': { model: PrometheusRule, module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule', type: 'IPrometheusRule' },
};

export const SCHEMA_SOURCE = 'kubernetes-models 4.5.1 + @kubernetes-models/prometheus-operator 4.4.4';

const idOf = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

/** Errors of each object against its schema; an unknown apiVersion/kind is an error too. */
export function schemaErrors(objects: K8sObject[]): string[] {
  const errors: string[] = [];
  for (const o of objects) {
    const kind = KINDS[`${o.apiVersion}/${o.kind}`];
    if (!kind) {
      errors.push(`${idOf(o)}: no schema for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      new kind.model(o as never).validate();
    } catch (err) {
      errors.push(`${idOf(o)}: ${(err as Error).message.replace(/\s+/g, ' ')}`);
    }
  }
  return errors;
}

/** Fields the schemas do not define, found by the TypeScript compiler (`cwd` must see node_modules). */
export function unknownFieldErrors(objects: K8sObject[], cwd = process.cwd()): string[] {
  const known = objects.filter((o) => KINDS[`${o.apiVersion}/${o.kind}`]);
  const base = join(cwd, 'node_modules', '.cache');
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, 'deploy-check-'));
  try {
    const lines: string[] = [];
    const owner: string[] = [];
    known.forEach((o, i) => {
      const kind = KINDS[`${o.apiVersion}/${o.kind}`] as Kind;
      lines.push(`import type { ${kind.type} as T${i} } from '${kind.module}';`);
    });
    known.forEach((o, i) => {
      const body = `export const o${i}: T${i} = ${JSON.stringify(o, null, 2)};`.split('\n');
      for (const l of body) {
        lines.push(l);
        owner[lines.length] = idOf(o);
      }
    });
    const file = join(dir, 'objects.mts');
    writeFileSync(file, lines.join('\n'));
    const program = ts.createProgram([file], {
      module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022,
      strict: true, noEmit: true, skipLibCheck: true, types: [],
    });
    return ts.getPreEmitDiagnostics(program).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${owner[line] ?? 'objects'}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
