import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistrySettings } from '../../src/config/registry-schema.js';
import { TokenAdmin } from '../../src/control/token-admin.js';
import { BOOTSTRAP_ADMIN } from '../../src/contracts/roles.js';
import { GatewayError } from '../../src/errors/index.js';
import { openRegistry, type RegistryHandle } from '../../src/registry/open-registry.js';
import { servableRunners } from '../../src/runtime/servable-runner.js';

describe('TokenAdmin (the one token service the admin routes and the CLI call)', () => {
  const root = mkdtempSync(join(tmpdir(), 'modelgate-token-admin-'));
  let h: RegistryHandle;
  let admin: TokenAdmin;
  const bootstrap = { name: BOOTSTRAP_ADMIN, role: 'admin' as const };

  beforeAll(async () => {
    h = openRegistry(RegistrySettings.parse({ dbPath: join(root, 'registry.db'), pollIntervalMs: 0 }), { adminToken: 'boot', openRunner: servableRunners({ providers: ['cpu'], intraOpThreads: 1 }) });
    await h.ready;
    admin = new TokenAdmin(h.tokens, h.audit);
  });
  afterAll(async () => {
    await h.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('makes a token that authenticates, with exactly one audit row naming the caller', async () => {
    const created = await admin.create(bootstrap, 'carol', 'deployer');
    expect(await admin.authenticate(created.token)).toEqual({ name: 'carol', role: 'deployer' });
    const rows = (await h.audit.page({ action: 'token.create' })).records;
    expect(rows.map((r) => [r.actor, r.target])).toEqual([[BOOTSTRAP_ADMIN, 'principal:carol']]);
  });

  it('refuses a caller below admin with 403, and writes nothing', async () => {
    const before = (await h.audit.page({})).records.length;
    const refused = await admin.create({ name: 'carol', role: 'deployer' }, 'mallory', 'admin').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).status).toBe(403);
    expect((await admin.list(bootstrap)).map((t) => t.principal)).toEqual(['carol']);
    expect((await h.audit.page({})).records.length).toBe(before);
  });

  it('revokes with the caller as the audit actor', async () => {
    expect(await admin.revoke(bootstrap, 'carol')).toBe(true);
    expect(await admin.revoke(bootstrap, 'carol')).toBe(false);
    const rows = (await h.audit.page({ action: 'token.revoke' })).records;
    expect(rows.map((r) => r.actor)).toEqual([BOOTSTRAP_ADMIN]);
  });
});
