import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { DEMO, HOUSE } from '../support/governance.js';
import { cliGatewayConfig, modelgate, type CliResult } from '../support/modelgate-cli.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';

const MODEL = 'property-valuation';

/** One line on stderr, naming the server's status and code, and no stack. */
function refusedInOneLine(r: CliResult, status: number, code: string): void {
  expect(r.err.trim().split('\n'), r.err).toHaveLength(1);
  expect(r.err).toContain(`[${status} ${code}`);
  expect(r.err).not.toMatch(/\n\s+at |node:internal|dist\//);
}

/** What the gateway answers an unpinned prediction with, right now. */
async function answer(url: string): Promise<{ version: string | null; route: string | null }> {
  const res = await fetch(`${url}/v1/models/${MODEL}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(HOUSE) });
  await res.body?.cancel();
  return { version: res.headers.get('x-model-version'), route: res.headers.get('x-model-route') };
}

/**
 * `modelgate` run as a child process against a real gateway process over HTTP (SQLite registry):
 * every admin command with --url/--token (or MODELGATE_URL/MODELGATE_TOKEN), role refusals exit 3,
 * changes are in effect on the gateway when the command returns, audited as the token's principal.
 */
// Each command is a fresh node process (~0.1-0.5 s of CPU; seconds on a loaded 2-core box): more than the default 30 s per test.
describe('modelgate against a running gateway (--url, --token)', { timeout: 180_000 }, () => {
  let gw: ServerProcess;
  const tokens: Record<string, string> = {};
  /** As `who` (a principal made below, or the bootstrap admin), through MODELGATE_URL/MODELGATE_TOKEN. */
  const as = (who: string, ...args: string[]) => modelgate(args, { MODELGATE_URL: gw.url, MODELGATE_TOKEN: tokens[who] ?? ADMIN_TOKEN });

  beforeAll(async () => {
    gw = await startServerProcess({ MODELGATE_CONFIG: cliGatewayConfig(['1.0.0'], '1.0.0'), MODELGATE_ADMIN_TOKEN: ADMIN_TOKEN });
  }, 90_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('token create/list/revoke through the gateway as its admin; a viewer is refused with exit 3', async () => {
    for (const [name, role] of [['alice', 'deployer'], ['bob', 'approver'], ['vera', 'viewer'], ['dora', 'deployer'], ['temp', 'viewer']]) {
      const r = await modelgate(['token', 'create', name as string, '--role', role as string, '--url', gw.url, '--token', ADMIN_TOKEN]);
      expect(r.code, r.err).toBe(0);
      tokens[name as string] = r.out.trim();
      expect(tokens[name as string]).toMatch(/^mgt_/);
    }
    const list = await as('admin', 'token', 'list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^PRINCIPAL\s+ROLE\s+CREATED\s+BY\s+REVOKED\n/);
    expect(list.out).toMatch(/\nalice\s+deployer\s+\S+\s+bootstrap-admin\s+-\n/);
    const denied = await as('vera', 'token', 'create', 'eve', '--role', 'admin');
    expect(denied.code).toBe(3);
    refusedInOneLine(denied, 403, 'forbidden');
    expect((await as('admin', 'token', 'revoke', 'temp')).out).toBe('revoked temp\n');
    const revoked = await as('temp', 'models');
    expect(revoked.code).toBe(3);
    refusedInOneLine(revoked, 401, 'unauthorized');
  });

  it('models: versions, stages and load state as a table, and as JSON', async () => {
    const r = await as('vera', 'models');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^MODEL\s+VERSION\s+STAGE\s+DATA\s+ALIASES\s+STATE\n/);
    expect(r.out).toMatch(/property-valuation\s+1\.0\.0\s+production\s+2026\.01\s+-\s+READY/);
    const json = JSON.parse((await as('vera', 'models', '--json')).out) as { registry: boolean; models: { version: string; stage: string; state: string }[] };
    expect(json.registry).toBe(true);
    expect(json.models).toContainEqual(expect.objectContaining({ version: '1.0.0', stage: 'production', state: 'READY' }));
  });

  it('register, promote to staging, validate, promote to production: in effect when the command returns', async () => {
    const reg = await as('alice', 'register', join(DEMO, '1.1.0'));
    expect(reg.code, reg.err).toBe(0);
    expect(reg.out).toMatch(/^registered property-valuation@1\.1\.0 by alice: stage none/);
    const again = await as('alice', 'register', join(DEMO, '1.1.0'));
    expect(again.code).toBe(1);
    refusedInOneLine(again, 409, 'conflict');
    expect((await as('alice', 'promote', MODEL, '1.1.0', 'staging')).out).toBe('property-valuation@1.1.0: none -> staging by alice\n');
    const gate = await as('alice', 'validate', MODEL, '1.1.0');
    expect(gate.code, gate.err).toBe(0);
    expect(gate.out).toMatch(/^gate PASSED: property-valuation@1\.1\.0 vs 1\.0\.0/);
    // Four eyes: production needs an approver.
    const deployer = await as('alice', 'promote', MODEL, '1.1.0', 'production');
    expect(deployer.code).toBe(3);
    refusedInOneLine(deployer, 403, 'forbidden');
    expect(await answer(gw.url)).toEqual({ version: '1.0.0', route: 'fallback:no_flag' });
    const promoted = await as('bob', 'promote', MODEL, '1.1.0', 'production', '--reason', 'cli test');
    expect(promoted.code, promoted.err).toBe(0);
    expect(promoted.out).toMatch(/property-valuation@1\.1\.0: staging -> production by bob; 1\.0\.0 -> archived\n$/);
    // No wait, no poll: the gateway made the move itself.
    expect((await answer(gw.url)).version).toBe('1.1.0');
    const audit = JSON.parse((await as('vera', 'audit', 'list', '--json', '--limit', '1000')).out) as { records: { actor: string; action: string; target: string }[] };
    expect(audit.records).toContainEqual(expect.objectContaining({ actor: 'bob', action: 'version.stage', target: 'property-valuation@1.1.0' }));
  });

  it('routing and rollback: the rollback holds on the gateway when the command returns, audited as the caller', async () => {
    const view = await as('vera', 'routing', MODEL);
    expect(view.code, view.err).toBe(0);
    expect(view.out).toMatch(/^model\s+property-valuation\nstable version\s+1\.1\.0\n/);
    expect(view.out).toMatch(/rollback\s+none/);
    expect(view.out).toMatch(/VERSION\s+PERCENT\s+VIA\n1\.1\.0\s+100\s+fallback:no_flag/);
    const viewer = await as('vera', 'rollback', MODEL, '--reason', 'nope');
    expect(viewer.code).toBe(3);
    refusedInOneLine(viewer, 403, 'forbidden');
    const rb = await as('dora', 'rollback', MODEL, '--reason', 'p99 regression');
    expect(rb.code, rb.err).toBe(0);
    expect(rb.out).toMatch(/rolled back: all traffic to 1\.1\.0/);
    expect(rb.out).toMatch(/rollback\s+since \S+ by dora: p99 regression/);
    expect(await answer(gw.url)).toEqual({ version: '1.1.0', route: 'fallback:rollback' });
    const json = JSON.parse((await as('vera', 'routing', MODEL, '--json')).out) as { rollback: { actor: string; reason: string } };
    expect(json.rollback).toMatchObject({ actor: 'dora', reason: 'p99 regression' });
    const audit = JSON.parse((await as('vera', 'audit', 'list', '--json', '--limit', '1000')).out) as { records: { actor: string; action: string; reason: string }[] };
    expect(audit.records).toContainEqual(expect.objectContaining({ actor: 'dora', action: 'rollback', reason: 'p99 regression' }));
    const cleared = await as('dora', 'rollback', MODEL, '--clear');
    expect(cleared.code, cleared.err).toBe(0);
    expect(cleared.out).toMatch(/rollback of property-valuation cleared/);
    expect(await answer(gw.url)).toEqual({ version: '1.1.0', route: 'fallback:no_flag' });
  });

  it('predict prints the stamps (model, version, route, cache, request id) and the answer', async () => {
    const r = await modelgate(['predict', MODEL, '--json', JSON.stringify(HOUSE), '--request-id', 'cli-predict-1', '--url', gw.url]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^model\s+property-valuation\nversion\s+1\.1\.0\nroute\s+fallback:no_flag\ncache\s+(hit|miss)\nrequest id\s+cli-predict-1\n\n\{/);
    const pinned = await modelgate(['predict', MODEL, '--json', JSON.stringify(HOUSE), '--version', '1.1.0', '--output', 'json', '--url', gw.url]);
    expect(pinned.code, pinned.err).toBe(0);
    const doc = JSON.parse(pinned.out) as { status: number; stamps: Record<string, string>; body: { predictions: number[] } };
    expect(doc.status).toBe(200);
    expect(doc.stamps).toMatchObject({ model: MODEL, version: '1.1.0', route: 'pinned' });
    expect(doc.stamps.request_id).toBeTruthy();
    expect(doc.body.predictions).toHaveLength(1);
    const bad = await modelgate(['predict', MODEL, '--json', '{"instances": [{"sqft": "big"}]}', '--url', gw.url]);
    expect(bad.code).toBe(1);
    refusedInOneLine(bad, 400, 'invalid_input');
    expect(bad.err).toMatch(/sqft must be a number/);
    const missing = await modelgate(['predict', 'no-such-model', '--json', '{"instances": [{}]}', '--url', gw.url]);
    expect(missing.code).toBe(1);
    refusedInOneLine(missing, 404, 'model_not_found');
  });

  it('status: live, ready, the registry, replicas seen, the audit chain', async () => {
    const r = await as('vera', 'status');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^gateway\s+http:\/\/127\.0\.0\.1:\d+\nlive\s+yes\nready\s+yes\nregistry\s+sqlite, reachable\n/);
    expect(r.out).toMatch(/replicas seen\s+this gateway only/);
    expect(r.out).toMatch(/audit chain\s+ok, \d+ rows/);
    const json = JSON.parse((await as('vera', 'status', '--json')).out) as { live: boolean; ready: boolean; audit: { ok: boolean }; replicas: { count: null } };
    expect(json).toMatchObject({ live: true, ready: true, audit: { ok: true }, replicas: { store: 'sqlite', count: null } });
    const verify = await as('vera', 'audit', 'verify');
    expect(verify.code).toBe(0);
    expect(verify.out).toMatch(/^audit log OK: \d+ rows, chain head [0-9a-f]{64}\n$/);
    const list = await as('vera', 'audit', 'list', '--limit', '3');
    expect(list.out).toMatch(/^SEQ\s+AT\s+ACTOR\s+ACTION\s+TARGET\s+REASON\n1\s/);
    expect(list.out).toMatch(/more: --after 3\n$/);
  });

  it.each<[string[], number, RegExp, { noUrl?: boolean }]>([
    [['status'], 3, /\[401 unauthorized\]/, {}],
    [['rollback', MODEL], 2, /--url <http:\/\/host:port> or MODELGATE_URL/, { noUrl: true }],
    [['routing'], 2, /usage: modelgate routing/, {}],
    [['rollback', MODEL, '--clear', '--reason', 'x'], 2, /--reason goes with a rollback/, {}],
    [['predict', MODEL, '--json', '{oops'], 2, /--json is not valid JSON/, {}],
    [['models', '--url', 'ftp://x'], 2, /--url must be an http\(s\) URL/, {}],
  ])('%j exits %i with one reason', async (args, code, reason, opts) => {
    const env: Record<string, string> = opts.noUrl ? {} : { MODELGATE_URL: gw.url };
    const r = await modelgate(args, env);
    expect(r.code).toBe(code);
    expect(r.err).toMatch(reason);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('an unreachable gateway is exit 1 with one line', async () => {
    // A port that was free a moment ago: nothing listens there.
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await modelgate(['status', '--url', url, '--token', ADMIN_TOKEN]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`modelgate status: cannot reach ${url}: ECONNREFUSED\n`);
  });
});
