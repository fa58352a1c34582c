// (6) A corrupt artifact: a version whose model.onnx no longer matches its manifest's sha256 is
// refused (at import, on a repository load, on an upload), and the other versions keep serving.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keepAliveLoad } from '../../test/support/keep-alive-load.js';
import { ADMIN_TOKEN, GatewayHome, MODEL, admin, auditVerify, predictV1, sleep, type ChaosOptions, type ScenarioResult } from '../harness.js';

const corrupt = (bytes: Buffer): Buffer => {
  const out = Buffer.from(bytes);
  for (let i = Math.floor(out.length / 3); i < out.length; i += 97) out[i] = (out[i] ?? 0) ^ 0xff;
  return out;
};

export async function corruptArtifact(opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const home = new GatewayHome();
  const artifact = join(home.modelsDir, MODEL, '1.1.0', 'model.onnx');
  writeFileSync(artifact, corrupt(readFileSync(artifact)));
  const gw = await home.start({});
  const failures: string[] = [];
  const counts: Record<string, number> = {};
  try {
    const until = Date.now() + Math.max(2, opts.durationS / 2) * 1000;
    // Unpinned (the flags file sends 10 % to the canary, 1.1.0) and pinned to 1.0.0: all must be 200.
    const load = keepAliveLoad({
      url: gw.url,
      connections: 4,
      next: (i) => predictV1(i, i % 2 ? { 'x-model-version': '1.0.0' } : {}),
      stop: () => Date.now() > until,
      keepBodies: false,
    });
    const pinned = await fetch(`${gw.url}/v1/models/${MODEL}/versions/1.1.0/predict`, predictInit());
    counts.pinnedToCorrupt = pinned.status;
    if (pinned.status !== 404) failures.push(`a pin to the corrupt version answered ${pinned.status}, not 404`);
    const loadRes = await admin(gw.url, `/v2/repository/models/${MODEL}/load?version=1.1.0`, { method: 'POST' });
    counts.loadCorrupt = loadRes.status;
    if (loadRes.status < 400 || loadRes.status >= 500) failures.push(`loading the corrupt version answered ${loadRes.status}`);
    const form = new FormData();
    form.set('manifest', new Blob([readFileSync(join(home.modelsDir, MODEL, '1.1.0', 'manifest.json'))]), 'manifest.json');
    form.set('model', new Blob([readFileSync(artifact)]), 'model.onnx');
    const upload = await fetch(`${gw.url}/admin/models/${MODEL}/versions`, { method: 'POST', body: form, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    counts.uploadCorrupt = upload.status;
    if (upload.status < 400 || upload.status >= 500) failures.push(`uploading the corrupt version answered ${upload.status}`);
    await sleep(200);
    const outcomes = await load;
    counts.requests = outcomes.length;
    counts.ok200 = outcomes.filter((o) => o.status === 200).length;
    counts.failed = outcomes.length - counts.ok200;
    if (counts.failed) failures.push(`${counts.failed} requests to the healthy versions failed`);
    counts.auditOk = await auditVerify(gw.url, failures);
  } finally {
    counts.exitCode = (await gw.stop()) ?? -1;
  }
  return { name: 'corrupt-artifact', counts, failures, seconds: (Date.now() - started) / 1000 };
}

function predictInit(): RequestInit {
  const spec = predictV1(1);
  return { method: 'POST', headers: spec.headers, body: spec.body };
}
