import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ERROR_CODES } from '../../src/errors/index.js';
import { openApiDocument } from '../../src/http/openapi/document.js';
import { routeTable, type HonoRoute } from '../../src/http/openapi/route-table.js';
import { createToken, HOUSE, startGoverned, type GovernedGateway } from '../support/governance.js';

// The route table app.ts hands the docs routes: the full app's, every route it mounted.
const captured: { routes?: () => readonly HonoRoute[] } = {};
vi.mock('../../src/http/openapi/docs-routes.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../src/http/openapi/docs-routes.js')>();
  return {
    ...mod,
    docsRoutes: (routes: () => readonly HonoRoute[]) => {
      captured.routes = routes;
      return mod.docsRoutes(routes);
    },
  };
});

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; 'x-required-role'?: string; responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, unknown> }> }>>;
  components: { schemas: Record<string, { properties?: Record<string, { enum?: string[] }> }> };
};

const operations = (doc: Doc): Set<string> => new Set(Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)));

describe('OpenAPI document', () => {
  let g: GovernedGateway;
  let served: Doc;
  beforeAll(async () => {
    // The registry on and monitoring on: every route the gateway can mount.
    g = await startGoverned();
    const res = await g.call('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    served = (await res.json()) as Doc;
  }, 60_000);
  afterAll(async () => g?.close());

  it('is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator)', async () => {
    const v = new Validator();
    const result = await v.validate(structuredClone(served));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(served.openapi).toBe('3.1.0');
  });

  it('names every registered route, and no route that does not exist', () => {
    const routes = routeTable(captured.routes?.() ?? []);
    expect(routes.size).toBeGreaterThan(40);
    const documented = operations(openApiDocument() as Doc);
    expect([...routes].filter((r) => !documented.has(r)), 'registered but not documented').toEqual([]);
    expect([...documented].filter((r) => !routes.has(r)), 'documented but not registered').toEqual([]);
    // With everything mounted, the served document is the whole document.
    expect(operations(served)).toEqual(documented);
  });

  it('serves only the routes a gateway mounted (no registry: no registry routes)', async () => {
    const { startGateway } = await import('../support/gateway.js');
    const { copyDemoModels, tempDir } = await import('../support/fixtures.js');
    const gw = await startGateway(copyDemoModels(), { flags: { file: `${tempDir()}/none.json` } });
    try {
      const doc = (await (await gw.app.request('/openapi.json')).json()) as Doc;
      const ops = operations(doc);
      expect(ops.has('POST /v1/models/{model}/predict')).toBe(true);
      expect(ops.has('POST /admin/models/{model}/rollback')).toBe(true);
      expect(ops.has('GET /admin/tokens')).toBe(false);
      expect(ops.has('GET /admin/audit')).toBe(false);
    } finally {
      await gw.close(0);
    }
  });

  it('describes the one error shape with every code, and OIP errors under /v2', () => {
    expect(served.components.schemas.Error?.properties?.code?.enum).toEqual([...ERROR_CODES]);
    const predict404 = served.paths['/v1/models/{model}/predict']?.post?.responses['404']?.content?.['application/json'];
    expect(JSON.stringify(predict404)).toContain('#/components/schemas/Error');
    const infer404 = served.paths['/v2/models/{model}/infer']?.post?.responses['404']?.content?.['application/json'];
    expect(JSON.stringify(infer404)).toContain('#/components/schemas/OipError');
  });

  it('stamps predictions, puts Retry-After on 503, and notes bearer and role on every ops route', () => {
    for (const path of ['/v1/models/{model}/predict', '/v1/models/{model}/versions/{version}/predict', '/v2/models/{model}/infer', '/v2/models/{model}/versions/{version}/infer']) {
      const post = served.paths[path]?.post;
      expect(Object.keys(post?.responses['200']?.headers ?? {}).sort(), path).toEqual(['x-cache', 'x-model-name', 'x-model-route', 'x-model-version', 'x-request-id']);
      expect(Object.keys(post?.responses['503']?.headers ?? {}), path).toContain('retry-after');
      expect(post?.security, path).toEqual([]);
    }
    const infer = served.paths['/v2/models/{model}/infer']?.post as unknown as { requestBody: { content: Record<string, unknown> } };
    expect(Object.keys(infer.requestBody.content).sort()).toEqual(['application/json', 'application/octet-stream']);
    const ops = Object.entries(served.paths).flatMap(([path, item]) => Object.entries(item).map(([m, op]) => ({ path, m, op })));
    const guarded = ops.filter(({ path }) => path.startsWith('/admin') || path.startsWith('/v2/repository'));
    expect(guarded.length).toBeGreaterThan(20);
    for (const { path, m, op } of guarded) {
      expect(op.security, `${m} ${path}`).toEqual([{ bearerAuth: [] }]);
      expect(['viewer', 'deployer', 'approver', 'admin'], `${m} ${path}`).toContain(op['x-required-role']);
      expect(Object.keys(op.responses), `${m} ${path}`).toEqual(expect.arrayContaining(['401', '403']));
    }
    expect(served.paths['/admin/tokens']?.post?.['x-required-role']).toBe('admin');
  });

  it('serves /docs and its vendored Swagger UI under a strict CSP, no CDN', async () => {
    const page = await g.call('/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    const srcs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] as string);
    expect(srcs.length).toBeGreaterThanOrEqual(4);
    expect(html).not.toMatch(/<script>(?!<)/);
    for (const src of srcs) {
      expect(src.startsWith('/docs/'), src).toBe(true);
      const asset = await g.call(src);
      expect(asset.status, src).toBe(200);
      expect((await asset.arrayBuffer()).byteLength, src).toBeGreaterThan(50);
    }
    expect((await g.call('/docs/..%2Fpackage.json')).status).toBe(404);
  });

  it('real answers match the schemas the document gives them', async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(served, 'mg');
    const pointer = (path: string) => path.replaceAll('~', '~0').replaceAll('/', '~1').replaceAll('{', '%7B').replaceAll('}', '%7D');
    const check = async (res: Response, path: string, method: string) => {
      const body: unknown = await res.json();
      const validate = ajv.compile({ $ref: `mg#/paths/${pointer(path)}/${method}/responses/${res.status}/content/application~1json/schema` });
      expect(validate(body), `${method.toUpperCase()} ${path} ${res.status}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    // The schemas bite: a body without the fields is refused.
    expect(ajv.compile({ $ref: `mg#/paths/${pointer('/v1/models/{model}/predict')}/post/responses/200/content/application~1json/schema` })({ model: 'x' })).toBe(false);
    const admin = await createToken(g, 'oa-viewer', 'deployer');
    const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await check(await g.call('/v1/models/property-valuation/predict', post(HOUSE)), '/v1/models/{model}/predict', 'post');
    await check(await g.call('/v1/models/property-valuation/predict', post({ instances: [{ sqft: 1 }] })), '/v1/models/{model}/predict', 'post');
    await check(await g.call('/v1/models/nope/predict', post(HOUSE)), '/v1/models/{model}/predict', 'post');
    const row = Object.values(HOUSE.instances[0] as object) as number[];
    await check(await g.call('/v2/models/property-valuation/infer', post({ inputs: [{ name: 'features', shape: [1, 8], datatype: 'FP32', data: row }] })), '/v2/models/{model}/infer', 'post');
    await check(await g.call('/v2/models/property-valuation'), '/v2/models/{model}', 'get');
    await check(await g.call('/v2/health/ready'), '/v2/health/ready', 'get');
    await check(await g.call('/v1/models'), '/v1/models', 'get');
    await check(await g.call('/admin/models/property-valuation/routing', { token: admin }), '/admin/models/{model}/routing', 'get');
    await check(await g.call('/admin/models/property-valuation/routing'), '/admin/models/{model}/routing', 'get');
    await check(await g.call('/admin/models/property-valuation/versions', { token: admin }), '/admin/models/{model}/versions', 'get');
    await check(await g.call('/admin/audit', { token: admin }), '/admin/audit', 'get');
    await check(await g.call('/v2/repository/index', { method: 'POST', token: admin }), '/v2/repository/index', 'post');
  });
});
