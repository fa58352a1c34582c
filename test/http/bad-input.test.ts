import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { HOUSE_V1, copyDemoModels } from '../support/fixtures.js';
import { startGateway } from '../support/gateway.js';

const V1 = '/v1/models/property-valuation/predict';
const V2 = '/v2/models/property-valuation/infer';
const row = Object.values(HOUSE_V1);
const oip = (over: Record<string, unknown> = {}) => ({
  inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: row, ...over }],
});
const house = (over: Record<string, unknown>) => ({ instances: [{ ...HOUSE_V1, ...over }] });
const without = (key: string) => ({ instances: [Object.fromEntries(Object.entries(HOUSE_V1).filter(([k]) => k !== key))] });

interface Case {
  name: string;
  path: string;
  body: string | object;
  status: number;
  error: RegExp;
  headers?: Record<string, string>;
  method?: string;
}

const cases: Case[] = [
  { name: 'malformed JSON (v1)', path: V1, body: '{"instances": [', status: 400, error: /malformed JSON/ },
  { name: 'malformed JSON (v2)', path: V2, body: '{inputs: 1}', status: 400, error: /malformed JSON/ },
  { name: 'NaN literal', path: V1, body: '{"instances": [{"sqft": NaN}]}', status: 400, error: /malformed JSON/ },
  { name: 'empty body', path: V1, body: '', status: 400, error: /body is empty/ },
  { name: 'JSON array body', path: V1, body: [1, 2], status: 400, error: /invalid request body/ },
  { name: 'wrong content type', path: V1, body: JSON.stringify(house({})), status: 415, error: /content-type must be application\/json/, headers: { 'content-type': 'text/plain' } },
  { name: 'form content type (curl -d default)', path: V2, body: JSON.stringify(oip()), status: 415, error: /content-type/, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
  { name: 'missing feature', path: V1, body: without('sqft'), status: 400, error: /instances\[0\]\.sqft is missing/ },
  { name: 'extra feature', path: V1, body: house({ pool_size: 3 }), status: 400, error: /unknown feature 'pool_size'/ },
  { name: 'misspelled feature', path: V1, body: { instances: [{ ...Object.fromEntries(Object.entries(HOUSE_V1).filter(([k]) => k !== 'bedrooms')), bedroms: 3 }] }, status: 400, error: /did you mean 'bedrooms'/ },
  { name: 'string for a number', path: V1, body: house({ sqft: '1800' }), status: 400, error: /sqft must be a number/ },
  { name: 'null for a number', path: V1, body: house({ sqft: null }), status: 400, error: /sqft must be a number/ },
  { name: 'Infinity (1e400)', path: V1, body: '{"instances": [{"sqft": 1e400, "bedrooms": 3, "bathrooms": 2, "year_built": 1995, "lot_size": 6000, "location_cluster": 1, "condition": 4, "garage_spaces": 2}]}', status: 400, error: /sqft must be a finite number/ },
  { name: 'above the allowed range', path: V1, body: house({ sqft: 100000 }), status: 400, error: /sqft = 100000 is outside the allowed range \[400, 8000\]/ },
  { name: 'below the allowed range', path: V1, body: house({ year_built: 1066 }), status: 400, error: /outside the allowed range/ },
  { name: 'fraction for an integer', path: V1, body: house({ bedrooms: 2.5 }), status: 400, error: /bedrooms must be an integer/ },
  { name: 'unknown category label', path: V1, body: house({ location_cluster: 'moon' }), status: 400, error: /must be one of/ },
  { name: 'instance not an object', path: V1, body: { instances: [[1, 2, 3]] }, status: 400, error: /invalid request body/ },
  { name: 'empty batch (v1)', path: V1, body: { instances: [] }, status: 400, error: /instances must not be empty/ },
  { name: 'oversized batch (v1)', path: V1, body: { instances: Array.from({ length: 65 }, () => HOUSE_V1) }, status: 400, error: /exceed the limit of 64/ },
  { name: 'wrong datatype', path: V2, body: oip({ datatype: 'FP64' }), status: 400, error: /must have datatype FP32, got FP64/ },
  { name: 'unknown datatype', path: V2, body: oip({ datatype: 'FLOAT' }), status: 400, error: /inputs\[0\]\.datatype/ },
  { name: 'wrong shape', path: V2, body: oip({ shape: [1, 7], data: row.slice(1) }), status: 400, error: /must have shape \[-1, 8\]/ },
  { name: 'data/shape mismatch', path: V2, body: oip({ shape: [2, 8] }), status: 400, error: /has 8 elements but shape \[2, 8\] needs 16/ },
  { name: 'NaN-like string in FP32 data', path: V2, body: oip({ data: ['NaN', ...row.slice(1)] }), status: 400, error: /element 0 must be a finite number/ },
  { name: 'empty batch (v2)', path: V2, body: oip({ shape: [0, 8], data: [] }), status: 400, error: /empty batch/ },
  { name: 'oversized batch (v2)', path: V2, body: oip({ shape: [65, 8], data: Array.from({ length: 65 }, () => row).flat() }), status: 400, error: /more than the limit of 64/ },
  { name: 'unknown input', path: V2, body: { inputs: [...oip().inputs, { name: 'extra', datatype: 'FP32', shape: [1], data: [1] }] }, status: 400, error: /unexpected input 'extra'/ },
  { name: 'no inputs', path: V2, body: { inputs: [] }, status: 400, error: /at least one input/ },
  { name: 'data not an array', path: V2, body: oip({ data: 5 }), status: 400, error: /data must be an array/ },
  { name: 'negative dimension', path: V2, body: oip({ shape: [-1, 8] }), status: 400, error: /shape/ },
  { name: 'unknown output selected', path: V2, body: { ...oip(), outputs: [{ name: 'nope' }] }, status: 400, error: /unknown output 'nope'/ },
  { name: 'body over the limit', path: V1, body: { instances: [HOUSE_V1], padding: 'x'.repeat(70_000) }, status: 413, error: /exceeds 65536 bytes/ },
  { name: 'unknown model', path: '/v1/models/no-such-model/predict', body: house({}), status: 404, error: /model 'no-such-model' is not loaded/ },
  { name: 'unknown version in path', path: '/v2/models/property-valuation/versions/9.9.9/infer', body: oip(), status: 404, error: /version '9.9.9' of model 'property-valuation' is not loaded/ },
  { name: 'unknown version in header', path: V1, body: house({}), status: 404, error: /version '3.0.0'/, headers: { 'x-model-version': '3.0.0' } },
  { name: 'unknown alias in header', path: V1, body: house({}), status: 404, error: /version 'blue'/, headers: { 'x-model-version': 'blue' } },
  { name: 'garbage version header', path: V1, body: house({}), status: 400, error: /x-model-version must be/, headers: { 'x-model-version': '../../etc' } },
  // The URL parser resolves an encoded '..' segment before routing: no route matches.
  { name: 'dot-dot model name', path: '/v2/models/%2e%2e/infer', body: oip(), status: 404, error: /no route for POST \/v2\/infer/ },
  { name: 'dot-dot inside a name', path: '/v2/models/a..b/infer', body: oip(), status: 400, error: /invalid model name/ },
  { name: 'encoded slash in name', path: '/v1/models/..%2F..%2Fetc%2Fpasswd/predict', body: house({}), status: 400, error: /invalid model name/ },
  { name: 'encoded slash in version', path: '/v2/models/property-valuation/versions/..%2F1.0.0/infer', body: oip(), status: 400, error: /invalid model version/ },
  { name: 'non-semver version', path: '/v2/models/property-valuation/versions/latest%00/infer', body: oip(), status: 400, error: /invalid model version/ },
  { name: 'unknown route', path: '/v3/whatever', body: {}, status: 404, error: /no route for POST \/v3\/whatever/ },
  { name: 'wrong method', path: V1, body: '', status: 405, error: /GET is not allowed here; allowed: POST/, method: 'GET' },
];

describe('bad input: a clear 4xx in the protocol\'s error shape, never a 5xx', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway(copyDemoModels(), {
      flags: { file: '/nonexistent/flags.json' },
      limits: { maxBodyBytes: 65_536, maxBatchInstances: 64 },
      models: { 'property-valuation': { defaultVersion: '1.0.0' } },
    });
  });
  afterAll(() => gw.close());

  it.each(cases)('$name -> $status', async (c) => {
    const init: RequestInit = {
      method: c.method ?? 'POST',
      headers: { 'content-type': 'application/json', ...c.headers },
      ...(c.method === 'GET' ? {} : { body: typeof c.body === 'string' ? c.body : JSON.stringify(c.body) }),
    };
    const res = await gw.app.request(c.path, init);
    expect(res.status).toBe(c.status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const text = await res.text();
    expect(text).not.toMatch(/\n\s+at |node_modules|\/work\/|\/tmp\//);
    const body = JSON.parse(text) as { error: string; code?: string };
    expect(body.error).toMatch(c.error);
    // OIP routes answer exactly {"error"}; the JSON API adds a code and the request id.
    if (c.path.startsWith('/v2')) expect(Object.keys(body)).toEqual(['error']);
    else expect(body.code).toBeTruthy();
  });

  it('keeps serving after every bad request', async () => {
    const res = await gw.app.request(V1, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(house({})) });
    expect(res.status).toBe(200);
  });
});
