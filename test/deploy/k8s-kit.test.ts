import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import { K8S_DIR, overlayErrors, overlays } from '../../scripts/deploy/kit.js';
import { render, strategicMerge, type K8sObject } from '../../scripts/deploy/kustomize.js';

const rendered = (name: string) => render(join(K8S_DIR, 'overlays', name));
const deployment = (objects: K8sObject[]) => objects.find((o) => o.kind === 'Deployment') as K8sObject;
const pod = (objects: K8sObject[]) => (deployment(objects) as unknown as IDeployment).spec!.template.spec!;
const container = (p: IPodSpec) => p.containers[0]!;

describe('the Kubernetes kit', () => {
  it('has the three overlays, each valid against the schemas and the kit policy', () => {
    expect(overlays()).toEqual(['embedded', 'gpu', 'shared']);
    for (const name of overlays()) expect(overlayErrors(rendered(name)), name).toEqual([]);
  });

  it('renders what each overlay promises', () => {
    const embedded = rendered('embedded');
    expect(deployment(embedded)).toMatchObject({ spec: { strategy: { type: 'Recreate' } } });
    expect(pod(embedded).volumes).toContainEqual({ name: 'data', persistentVolumeClaim: { claimName: 'modelgate-data' } });
    const shared = rendered('shared');
    expect(shared.map((o) => o.kind)).toEqual(expect.arrayContaining(['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'ServiceMonitor', 'PrometheusRule']));
    const env = container(pod(shared)).env?.map((e) => e.name);
    expect(env).toEqual(expect.arrayContaining(['UNLEASH_URL', 'UNLEASH_API_TOKEN', 'MODELGATE_DATABASE_URL', 'MODELGATE_REDIS_URL', 'MODELGATE_ADMIN_TOKEN']));
    const gpu = pod(rendered('gpu'));
    expect(container(gpu)).toMatchObject({ image: 'modelgate:0.1.0-cuda', resources: { limits: { 'nvidia.com/gpu': '1' } } });
    expect(gpu.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' });
  });

  it.each([
    ['a misspelt field', (p: IPodSpec) => Object.assign(container(p), { readinesProbe: container(p).readinessProbe }), /readinesProbe/],
    ['a wrong type', (p: IPodSpec) => Object.assign(p, { terminationGracePeriodSeconds: 'thirty' }), /must be integer/],
    ['an image on :latest', (p: IPodSpec) => (container(p).image = 'modelgate:latest'), /not pinned by a tag/],
    ['a writable root filesystem', (p: IPodSpec) => (container(p).securityContext!.readOnlyRootFilesystem = false), /readOnlyRootFilesystem/],
    ['a grace period shorter than the drain', (p: IPodSpec) => (p.terminationGracePeriodSeconds = 15), /terminationGracePeriodSeconds 15 </],
    ['a hostPath volume', (p: IPodSpec) => (p.volumes![1] = { name: 'data', hostPath: { path: '/var/lib/x' } }), /hostPath is not allowed/],
    ['a missing Secret key', (p: IPodSpec) => container(p).env!.push({ name: 'X', valueFrom: { secretKeyRef: { name: 'modelgate', key: 'nope' } } }), /no key nope/],
  ])('refuses a manifest with %s', (_what, breakIt, message) => {
    const objects = rendered('shared');
    breakIt(pod(objects));
    const errors = overlayErrors(objects);
    expect(errors.join('\n')).toMatch(message);
  });

  it('refuses a ConfigMap the gateway would not start with', () => {
    const objects = rendered('shared');
    const cm = objects.find((o) => o.kind === 'ConfigMap') as K8sObject & { data: Record<string, string> };
    cm.data['gateway.json'] = JSON.stringify({ port: 'eighty' });
    cm.data['flags.json'] = '{"version": 2, "features": [{"name": 1}]}';
    const errors = overlayErrors(objects).join('\n');
    expect(errors).toMatch(/gateway\.json: port/);
    expect(errors).toMatch(/flags\.json/);
  });

  it('merges patches like kustomize: keyed lists by key (patch items first), null deletes', () => {
    const base = { env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], volumes: [{ name: 'd', emptyDir: {} }], args: ['x'] };
    const patch = { env: [{ name: 'C', value: '3' }, { name: 'A', value: '9' }], volumes: [{ name: 'd', emptyDir: null, persistentVolumeClaim: { claimName: 'p' } }], args: ['y'] };
    expect(strategicMerge(base, patch)).toEqual({
      env: [{ name: 'C', value: '3' }, { name: 'A', value: '9' }, { name: 'B', value: '2' }],
      volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'p' } }],
      args: ['y'],
    });
  });
});
