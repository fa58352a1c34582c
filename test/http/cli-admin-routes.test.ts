import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN } from '../support/gateway.js';
import { createToken, startGoverned, type GovernedGateway } from '../support/governance.js';

/**
 * The two admin routes `modelgate --url` needed beyond the existing API: GET /admin/replicas
 * (viewer; `status`) and DELETE /admin/tokens/{principal} (admin; `token revoke`), on a SQLite
 * registry (the PostgreSQL replica view: test/cli/remote-replicas.test.ts).
 */
describe('GET /admin/replicas and DELETE /admin/tokens/{principal}', () => {
  let g: GovernedGateway;
  let viewer = '';
  let deployer = '';

  beforeAll(async () => {
    g = await startGoverned();
    viewer = await createToken(g, 'vic', 'viewer');
    deployer = await createToken(g, 'dora', 'deployer');
  });
  afterAll(async () => {
    await g?.close();
  });

  it('replicas: a viewer sees the store; SQLite tracks no replicas (not shared)', async () => {
    const res = await g.call('/admin/replicas', { token: viewer });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ store: 'sqlite', count: null, replicas: [] });
    expect((await g.call('/admin/replicas')).status).toBe(401);
  });

  it('revoke: admin only, audited with the caller, the token stops working at once, an unknown principal is 404', async () => {
    const doomed = await createToken(g, 'temp', 'viewer');
    expect((await g.call('/admin/replicas', { token: doomed })).status).toBe(200);
    const refused = await g.call('/admin/tokens/temp', { method: 'DELETE', token: deployer });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('forbidden');
    const res = await g.call('/admin/tokens/temp', { method: 'DELETE', token: ADMIN_TOKEN });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ principal: 'temp', revoked: true });
    expect((await g.call('/admin/replicas', { token: doomed })).status).toBe(401);
    const audit = (await (await g.call('/admin/audit?action=token.revoke', { token: viewer })).json()) as { records: { actor: string; target: string }[] };
    expect(audit.records).toEqual([expect.objectContaining({ actor: 'bootstrap-admin', target: 'principal:temp' })]);
    const again = await g.call('/admin/tokens/temp', { method: 'DELETE', token: ADMIN_TOKEN });
    expect(again.status).toBe(404);
    expect(((await again.json()) as { error: string }).error).toBe("no active token for 'temp'");
  });
});
