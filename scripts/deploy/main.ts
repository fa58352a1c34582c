import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { K8S_DIR, PROMETHEUS_RULE_FILE, hasKubectl, kubectlDifference, overlayErrors, overlays, prometheusRuleYaml } from './kit.js';
import { COMPOSE_FILE, composeErrors, composeFile } from './compose-check.js';
import { render } from './kustomize.js';
import { SCHEMA_SOURCE } from './schema-check.js';

/**
 * npm run deploy:check            render every overlay of deploy/k8s and validate it, and the compose file (CI)
 * npm run deploy:render -- <name> print one overlay's manifests (kubectl apply -f -)
 * npm run deploy:sync             regenerate the PrometheusRule from deploy/observability/alerts.yml
 */
const [command = 'check', arg] = process.argv.slice(2);

if (command === 'render') {
  if (!arg) throw new Error(`usage: deploy:render -- <${overlays().join('|')}>`);
  process.stdout.write(render(join(K8S_DIR, 'overlays', arg)).map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
} else if (command === 'sync') {
  writeFileSync(PROMETHEUS_RULE_FILE, prometheusRuleYaml());
  console.log(`wrote ${PROMETHEUS_RULE_FILE}`);
} else if (command === 'check') {
  let failed = 0;
  console.log(`schemas: ${SCHEMA_SOURCE}; strict unknown-field pass: TypeScript`);
  if (readFileSync(PROMETHEUS_RULE_FILE, 'utf8') !== prometheusRuleYaml()) {
    console.log(`FAIL ${PROMETHEUS_RULE_FILE} is stale: run npm run deploy:sync`);
    failed += 1;
  }
  const kubectl = hasKubectl();
  for (const name of overlays()) {
    const dir = join(K8S_DIR, 'overlays', name);
    const objects = render(dir);
    const errors = overlayErrors(objects);
    const diff = kubectl ? kubectlDifference(dir, objects) : undefined;
    if (diff) errors.push(diff);
    const cross = diff === undefined ? 'kubectl not installed: no cross-check' : 'same objects as kubectl kustomize';
    console.log(`${errors.length ? 'FAIL' : 'ok  '} ${name}: ${objects.length} objects (${objects.map((o) => o.kind).join(', ')}); ${errors.length ? `${errors.length} errors` : `valid; ${cross}`}`);
    for (const e of errors) console.log(`     ${e}`);
    failed += errors.length;
  }
  const compose = composeErrors(composeFile());
  console.log(`${compose.length ? 'FAIL' : 'ok  '} ${COMPOSE_FILE}: ${compose.length ? `${compose.length} errors` : 'valid'} (compose-spec JSON schema, ajv)`);
  for (const e of compose) console.log(`     ${e}`);
  failed += compose.length;
  if (failed > 0) process.exit(1);
} else {
  throw new Error(`unknown command ${command}: check | render <overlay> | sync`);
}
