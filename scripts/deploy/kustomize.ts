import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { z } from 'zod';

/**
 * A renderer for the subset of kustomize that deploy/k8s uses: `resources` (files and folders
 * with a kustomization), strategic-merge `patches` by path, and `images` (newName/newTag). It
 * exists because no kustomize or kubectl binary can be installed on the CI machine; the
 * kustomization files stay standard (`kubectl kustomize` renders the same objects, which
 * `npm run deploy:check` compares whenever kubectl is on PATH). Anything outside the subset is
 * refused by the schema below instead of being silently ignored.
 */
const Kustomization = z.strictObject({
  apiVersion: z.literal('kustomize.config.k8s.io/v1beta1'),
  kind: z.literal('Kustomization'),
  resources: z.array(z.string()).default([]),
  patches: z.array(z.strictObject({ path: z.string() })).default([]),
  images: z.array(z.strictObject({ name: z.string(), newName: z.string().optional(), newTag: z.string().optional() })).default([]),
});

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: Json };
  [key: string]: Json;
}

const isMap = (v: unknown): v is { [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** patchMergeKey of the list fields the kit patches (from the Kubernetes API's strategic-merge metadata). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name', initContainers: 'name', env: 'name', volumes: 'name', volumeMounts: 'mountPath',
  ports: 'containerPort', imagePullSecrets: 'name', topologySpreadConstraints: 'topologyKey',
};

/** Strategic merge: maps merge, `null` deletes, keyed lists merge by their key, other lists are replaced. */
export function strategicMerge(base: Json | undefined, patch: Json, field = ''): Json {
  if (isMap(base) && isMap(patch)) {
    const out: { [key: string]: Json } = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete out[k];
      else out[k] = strategicMerge(base[k], v, k);
    }
    return out;
  }
  const key = MERGE_KEYS[field];
  if (key && Array.isArray(base) && Array.isArray(patch)) {
    // kustomize's order: the patch's items (merged with their base item), then the rest of the base.
    const keyOf = (v: Json) => (isMap(v) ? v[key] : undefined);
    const merged = patch.map((item) => {
      const from = base.find((b) => keyOf(b) !== undefined && keyOf(b) === keyOf(item));
      return from === undefined ? structuredClone(item) : strategicMerge(from, item, '');
    });
    return [...merged, ...base.filter((b) => !patch.some((item) => keyOf(item) === keyOf(b)))];
  }
  return structuredClone(patch);
}

function toObjects(text: string, file: string): K8sObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return [];
    if (!isMap(value) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string' || !isMap(value.metadata) || typeof value.metadata.name !== 'string') {
      throw new Error(`${file}: every document needs apiVersion, kind and metadata.name`);
    }
    return [value as K8sObject];
  });
}

const group = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0] : '');
const sameTarget = (a: K8sObject, b: K8sObject) => a.kind === b.kind && a.metadata.name === b.metadata.name && group(a.apiVersion) === group(b.apiVersion);

function setImages(obj: K8sObject, images: z.infer<typeof Kustomization>['images']): K8sObject {
  const spec = isMap(obj.spec) && isMap(obj.spec.template) && isMap(obj.spec.template.spec) ? obj.spec.template.spec : undefined;
  if (!spec) return obj;
  for (const list of [spec.containers, spec.initContainers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isMap(c) || typeof c.image !== 'string') continue;
      const [, name = '', tag] = /^(.*?)(?::([^:/@]+))?$/.exec(c.image) ?? [];
      const rule = images.find((i) => i.name === name);
      if (rule) c.image = `${rule.newName ?? name}${rule.newTag ?? tag ? `:${rule.newTag ?? tag}` : ''}`;
    }
  }
  return obj;
}

/** Render the kustomization in `dir` (a folder holding kustomization.yaml) to its objects. */
export function render(dir: string): K8sObject[] {
  const root = resolve(dir);
  const k = Kustomization.parse(parse(readFileSync(join(root, 'kustomization.yaml'), 'utf8')));
  const objects: K8sObject[] = [];
  for (const r of k.resources) {
    const path = join(root, r);
    const found = statSync(path).isDirectory() ? render(path) : toObjects(readFileSync(path, 'utf8'), path);
    for (const o of found) {
      if (objects.some((x) => sameTarget(x, o))) throw new Error(`${path}: ${o.kind}/${o.metadata.name} defined twice`);
      objects.push(o);
    }
  }
  for (const p of k.patches) {
    const file = join(root, p.path);
    for (const patch of toObjects(readFileSync(file, 'utf8'), file)) {
      const at = objects.findIndex((o) => sameTarget(o, patch));
      if (at < 0) throw new Error(`${file}: no ${patch.kind}/${patch.metadata.name} to patch`);
      objects[at] = strategicMerge(objects[at], patch) as K8sObject;
    }
  }
  return objects.map((o) => setImages(structuredClone(o), k.images));
}
