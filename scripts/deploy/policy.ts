import { GatewayConfig } from '../../src/config/schema.js';
import { parseFlags } from '../../src/routing/file-flag-source.js';
import type { Json, K8sObject } from './kustomize.js';

/**
 * What the kit promises beyond schema validity: the Pod Security "restricted" profile, a pinned
 * image, the probes and a shutdown budget that covers the gateway's drain, references that
 * resolve (Secret keys, ConfigMaps, selectors, ports), and a ConfigMap the gateway accepts.
 */
type Map = { [key: string]: Json };
const isMap = (v: Json | undefined): v is Map => typeof v === 'object' && v !== null && !Array.isArray(v);
const map = (v: Json | undefined): Map => (isMap(v) ? v : {});
const list = (v: Json | undefined): Json[] => (Array.isArray(v) ? v : []);
const RESTRICTED_VOLUMES = ['configMap', 'emptyDir', 'persistentVolumeClaim', 'secret', 'projected', 'downwardAPI', 'csi', 'ephemeral'];
/** The gateway's drain delay after SIGTERM when MODELGATE_DRAIN_DELAY_MS is unset (server.drainDelayMs' default). */
const DEFAULT_DRAIN_DELAY_MS = 5_000;
const CLOSE_MARGIN_MS = 2_000;

const find = (objects: K8sObject[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
const matches = (selector: Map, labels: Map) => Object.entries(selector).every(([k, v]) => labels[k] === v);

export function policyErrors(objects: K8sObject[]): string[] {
  const errors: string[] = [];
  const deployments = objects.filter((o) => o.kind === 'Deployment');
  if (deployments.length !== 1) errors.push(`expected one Deployment, found ${deployments.length}`);
  for (const d of deployments) errors.push(...deploymentErrors(d, objects).map((e) => `Deployment/${d.metadata.name}: ${e}`));
  for (const o of objects) {
    const spec = map(o.spec);
    if (o.kind === 'Service' || o.kind === 'PodDisruptionBudget' || o.kind === 'ServiceMonitor') {
      const selector = o.kind === 'Service' ? map(spec.selector) : map(map(spec.selector).matchLabels);
      const pods = deployments.filter((d) => matches(selector, map(map(map(map(d.spec).template).metadata).labels)));
      if (o.kind !== 'ServiceMonitor' && pods.length === 0) errors.push(`${o.kind}/${o.metadata.name}: selects no pods`);
    }
    if (o.kind === 'HorizontalPodAutoscaler') {
      const target = map(spec.scaleTargetRef);
      if (!find(objects, String(target.kind), String(target.name))) errors.push(`HorizontalPodAutoscaler/${o.metadata.name}: no ${target.kind}/${target.name}`);
    }
    if (o.kind === 'ServiceMonitor') {
      const ports = objects.filter((s) => s.kind === 'Service').flatMap((s) => list(map(s.spec).ports).map((p) => map(p).name));
      for (const e of list(spec.endpoints)) if (!ports.includes(map(e).port ?? null)) errors.push(`ServiceMonitor/${o.metadata.name}: no Service port ${map(e).port}`);
    }
    if (o.kind === 'ConfigMap' && o.metadata.name === 'modelgate-config') errors.push(...configMapErrors(map(o.data)));
  }
  return errors;
}

function deploymentErrors(d: K8sObject, objects: K8sObject[]): string[] {
  const errors: string[] = [];
  const pod = map(map(map(d.spec).template).spec);
  const podSc = map(pod.securityContext);
  for (const host of ['hostNetwork', 'hostPID', 'hostIPC']) if (pod[host] === true) errors.push(`${host} is set`);
  if (map(podSc.seccompProfile).type !== 'RuntimeDefault') errors.push('pod seccompProfile is not RuntimeDefault');
  const volumes = list(pod.volumes).map(map);
  for (const v of volumes) {
    const type = Object.keys(v).find((k) => k !== 'name');
    if (!type || !RESTRICTED_VOLUMES.includes(type)) errors.push(`volume ${v.name}: type ${type} is not allowed by the restricted profile`);
    const cm = map(v.configMap).name;
    if (cm && !find(objects, 'ConfigMap', String(cm))) errors.push(`volume ${v.name}: no ConfigMap ${cm}`);
  }
  const containers = list(pod.containers).map(map);
  for (const c of containers) {
    const sc = map(c.securityContext);
    const at = `container ${c.name}`;
    if (sc.allowPrivilegeEscalation !== false) errors.push(`${at}: allowPrivilegeEscalation is not false`);
    if (!list(map(sc.capabilities).drop).includes('ALL')) errors.push(`${at}: capabilities do not drop ALL`);
    if (sc.readOnlyRootFilesystem !== true) errors.push(`${at}: readOnlyRootFilesystem is not true`);
    if (sc.runAsNonRoot !== true && podSc.runAsNonRoot !== true) errors.push(`${at}: runAsNonRoot is not true`);
    if (sc.privileged === true) errors.push(`${at}: privileged`);
    const image = String(c.image);
    const tag = /:([^:/@]+)$/.exec(image)?.[1];
    if (!tag || tag === 'latest') errors.push(`${at}: image ${image} is not pinned by a tag`);
    if (c.imagePullPolicy !== 'IfNotPresent') errors.push(`${at}: imagePullPolicy is not IfNotPresent`);
    const probePath = (p: string) => map(map(c[p]).httpGet).path;
    if (!c.startupProbe) errors.push(`${at}: no startupProbe`);
    if (probePath('readinessProbe') !== '/v2/health/ready') errors.push(`${at}: readinessProbe is not GET /v2/health/ready`);
    if (probePath('livenessProbe') !== '/v2/health/live') errors.push(`${at}: livenessProbe is not GET /v2/health/live`);
    const res = map(c.resources);
    if (!map(res.requests).cpu || !map(res.requests).memory || !map(res.limits).memory) errors.push(`${at}: needs cpu/memory requests and a memory limit`);
    const mounts = list(c.volumeMounts).map(map);
    for (const path of ['/tmp', '/app/data']) if (!mounts.some((m) => m.mountPath === path && m.readOnly !== true)) errors.push(`${at}: ${path} is not a writable mount`);
    for (const m of mounts) if (!volumes.some((v) => v.name === m.name)) errors.push(`${at}: mount of unknown volume ${m.name}`);
    const env = list(c.env).map(map);
    for (const e of env) {
      const ref = map(map(e.valueFrom).secretKeyRef);
      if (!ref.name) continue;
      const secret = find(objects, 'Secret', String(ref.name));
      if (!secret || !(String(ref.key) in { ...map(secret.stringData), ...map(secret.data) })) errors.push(`${at}: env ${e.name}: no key ${ref.key} in Secret ${ref.name}`);
    }
    errors.push(...shutdownBudgetErrors(Number(pod.terminationGracePeriodSeconds ?? 30), c, env, objects).map((e) => `${at}: ${e}`));
  }
  return errors;
}

/** terminationGracePeriodSeconds must cover preStop + the gateway's drain delay + its shutdown timeout + closing. */
function shutdownBudgetErrors(graceSeconds: number, c: Map, env: Map[], objects: K8sObject[]): string[] {
  const command = list(map(map(map(c.lifecycle).preStop).exec).command);
  if (command[0] !== 'sleep') return ['no preStop sleep: the pod must keep serving while Endpoints drop it'];
  const preStopMs = Number(command[1]) * 1000;
  const delay = env.find((e) => e.name === 'MODELGATE_DRAIN_DELAY_MS')?.value;
  const drainDelayMs = delay === undefined ? DEFAULT_DRAIN_DELAY_MS : Number(delay);
  const timeout = env.find((e) => e.name === 'MODELGATE_SHUTDOWN_TIMEOUT_MS')?.value;
  const timeoutMs = timeout === undefined ? shutdownTimeoutMsOf(map(find(objects, 'ConfigMap', 'modelgate-config')?.data)['gateway.json']) : Number(timeout);
  const needed = preStopMs + drainDelayMs + timeoutMs + CLOSE_MARGIN_MS;
  return graceSeconds * 1000 < needed
    ? [`terminationGracePeriodSeconds ${graceSeconds} < preStop ${preStopMs} + drain delay ${drainDelayMs} + shutdown timeout ${timeoutMs} + ${CLOSE_MARGIN_MS} ms`]
    : [];
}

/** server.shutdownTimeoutMs of the mounted gateway.json (its default when the file is invalid: reported elsewhere). */
function shutdownTimeoutMsOf(text: Json | undefined): number {
  try {
    const parsed = GatewayConfig.safeParse(JSON.parse(String(text ?? '{}')));
    if (parsed.success) return parsed.data.server.shutdownTimeoutMs;
  } catch {
    // not JSON: configMapErrors says so
  }
  return GatewayConfig.parse({}).server.shutdownTimeoutMs;
}

function configMapErrors(data: Map): string[] {
  const errors: string[] = [];
  try {
    const parsed = GatewayConfig.safeParse(JSON.parse(String(data['gateway.json'])));
    if (!parsed.success) errors.push(`ConfigMap/modelgate-config: gateway.json: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    else if (parsed.data.flags.file !== 'config/flags.json') errors.push('ConfigMap/modelgate-config: gateway.json must read flags from config/flags.json (the mounted key)');
  } catch (err) {
    errors.push(`ConfigMap/modelgate-config: gateway.json: ${(err as Error).message}`);
  }
  try {
    parseFlags(String(data['flags.json']));
  } catch (err) {
    errors.push(`ConfigMap/modelgate-config: flags.json: ${(err as Error).message}`);
  }
  return errors;
}
