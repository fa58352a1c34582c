import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { auditCommand } from '../../src/cli/audit-command.js';
import { promoteCommand } from '../../src/cli/promote-command.js';
import { registerCommand } from '../../src/cli/register-command.js';
import { tokenCommand } from '../../src/cli/token-command.js';
import { validateCommand } from '../../src/cli/validate-command.js';
import { openDatabase } from '../../src/registry/db.js';
import { tempDir } from '../support/fixtures.js';
import { DEMO, scaledVersion, writeVersionDir } from '../support/governance.js';

const ADMIN = 'cli-admin-token-0123456789-abcdefghij';

/** Run a command in-process, capturing stdout/stderr and the exit code it sets. */
async function run(fn: (args: string[]) => Promise<void>, args: string[], token?: string) {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  process.exitCode = undefined;
  if (token) process.env.MODELGATE_TOKEN = token;
  else delete process.env.MODELGATE_TOKEN;
  try {
    await fn(args);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { out, err, code };
}

describe('modelgate CLI: token, register, promote, validate, audit verify', () => {
  let root: string;
  let alice = '';
  let bob = '';

  beforeAll(() => {
    root = tempDir('modelgate-cli-');
    const config = join(root, 'gateway.json');
    writeFileSync(config, JSON.stringify({ modelsDir: join(root, 'models'), registry: { dbPath: join(root, 'data', 'registry.db') } }));
    process.env.MODELGATE_CONFIG = config;
    process.env.MODELGATE_ADMIN_TOKEN = ADMIN;
  });
  afterEach(() => vi.restoreAllMocks());

  it('creates role tokens as the bootstrap admin (shown once)', async () => {
    const a = await run(tokenCommand, ['create', 'alice', '--role', 'deployer'], ADMIN);
    const b = await run(tokenCommand, ['create', 'bob', '--role=approver'], ADMIN);
    alice = a.out.trim();
    bob = b.out.trim();
    expect(alice).toMatch(/^mgt_/);
    const denied = await run(tokenCommand, ['create', 'eve', '--role', 'admin'], alice);
    expect(denied.code).toBe(3);
    expect(denied.err).toMatch(/403 forbidden/);
    expect((await run(tokenCommand, ['list'], ADMIN)).out).toMatch(/alice\s+deployer[\s\S]*bob\s+approver/);
  });

  it('registers version folders; a violation names its rule and exits 1', async () => {
    const r1 = await run(registerCommand, [join(DEMO, '1.0.0')], alice);
    expect(r1.code).toBe(0);
    expect(r1.out).toMatch(/^registered property-valuation@1\.0\.0 by alice: stage none, data 2026\.01/);
    expect((await run(registerCommand, [join(DEMO, '1.1.0')], alice)).code).toBe(0);
    const again = await run(registerCommand, [join(DEMO, '1.1.0')], alice);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/409 conflict: version_exists/);
    expect((await run(registerCommand, [join(DEMO, '1.1.0'), '--token', 'mgt_bogus'])).err).toMatch(/401 unauthorized/);
  });

  it('promotes through staging to production with the gate, four eyes applying', async () => {
    expect((await run(promoteCommand, ['property-valuation', '1.0.0', 'staging'], alice)).code).toBe(0);
    const first = await run(promoteCommand, ['property-valuation', '1.0.0', 'production', '--reason', 'first release'], bob);
    expect(first.out).toMatch(/gate PASSED: property-valuation@1\.0\.0 vs \(no production version\)/);
    expect(first.out).toMatch(/staging -> production by bob/);
    expect((await run(promoteCommand, ['property-valuation', '1.1.0', 'staging'], alice)).code).toBe(0);
    const p = await run(promoteCommand, ['property-valuation', '1.1.0', 'production'], bob);
    expect(p.code).toBe(0);
    expect(p.err).toMatch(/quality 1\.1\.0\s+1000\/1000/); // progress on stderr
    expect(p.out).toMatch(/gate PASSED: property-valuation@1\.1\.0 vs 1\.0\.0/);
    expect(p.out).toMatch(/1\.0\.0 -> archived/);
  });

  it('validate exits 1 for a failing candidate and prints the failing metrics', async () => {
    const dir = writeVersionDir(join(root, 'bad'), scaledVersion('1.1.0', '1.1.1', 0.6));
    expect((await run(registerCommand, [dir], alice)).code).toBe(0);
    const v = await run(validateCommand, ['property-valuation', '1.1.1'], alice);
    expect(v.code).toBe(1);
    expect(v.out).toMatch(/gate FAILED: property-valuation@1\.1\.1 vs 1\.1\.0/);
    expect(v.out).toMatch(/rmse .* FAIL/);
    await run(promoteCommand, ['property-valuation', '1.1.1', 'staging'], alice);
    const blocked = await run(promoteCommand, ['property-valuation', '1.1.1', 'production'], bob);
    expect(blocked.code).toBe(1);
    expect(blocked.err).toMatch(/failed the validation gate .*422 precondition_failed: validation_gate/);
  });

  it('audit verify passes, then names the row edited in the database file', async () => {
    const ok = await run(auditCommand, ['verify']);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^audit log OK: \d+ rows/);
    const db = openDatabase(join(root, 'data', 'registry.db'));
    db.exec("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 4");
    db.close();
    const broken = await run(auditCommand, ['verify']);
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/^audit log BROKEN at row 4: row 4's content does not match its hash/);
  });
});
