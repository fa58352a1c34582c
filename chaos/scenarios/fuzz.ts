// (4) Fuzz: >= 10,000 generated malformed requests across every route (seeded, reproducible),
// plus raw-socket garbage: 0 5xx, 0 crashes, no stack trace or path in any body.
import { connect } from 'node:net';
import { keepAliveLoad, type Outcome, type RequestSpec } from '../../test/support/keep-alive-load.js';
import { ADMIN_TOKEN, GatewayHome, HOUSE, MODEL, auditVerify, type ChaosOptions, type ScenarioResult } from '../harness.js';

/** Every route template of the gateway; {m} {v} {a} {id} are filled with good and bad values. */
const ROUTES = [
  '/v2', '/v2/health/live', '/v2/health/ready', '/v2/models/{m}', '/v2/models/{m}/ready', '/v2/models/{m}/versions/{v}',
  '/v2/models/{m}/versions/{v}/ready', '/v2/models/{m}/infer', '/v2/models/{m}/versions/{v}/infer', '/v2/repository/index',
  '/v2/repository/models/{m}/load', '/v2/repository/models/{m}/unload', '/v1/models', '/v1/models/{m}/predict',
  '/v1/models/{m}/versions/{v}/predict', '/metrics', '/admin/whoami', '/admin/models', '/admin/models/{m}/versions',
  '/admin/models/{m}/versions/{v}', '/admin/models/{m}/versions/{v}/gate', '/admin/models/{m}/versions/{v}/promote',
  '/admin/models/{m}/versions/{v}/validate', '/admin/models/{m}/aliases', '/admin/models/{m}/aliases/{a}', '/admin/tokens',
  '/admin/audit', '/admin/audit/verify', '/admin/predictions/{id}', '/admin/models/{m}/routing', '/admin/models/{m}/rollback',
  '/{junk}', '/v2/{junk}/{junk}', '/admin/{junk}',
];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const NAMES = [MODEL, 'nope', '..%2F..%2Fetc%2Fpasswd', '%00', 'a'.repeat(300), '%C3%BC', '*', '-', 'CON', '%25%25'];
const VERSIONS = ['1.0.0', '1.1.0', '9.9.9', 'latest', '1.0.0-rc.1+b', '%2e%2e', '01.0.0', '1', ''];
const TYPES = ['application/json', 'text/plain', 'multipart/form-data; boundary=zz', 'multipart/form-data', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', ''];
const STACK_OR_PATH = /\bat [\w.<>]+ \(|\n\s+at |node_modules|\/(work|home|root|usr|opt|tmp)\/|\.(ts|js|mjs):\d+/;

/** mulberry32: small, seeded, enough for fuzzing. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generator(seed: number): (i: number) => RequestSpec {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const bytes = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(r() * 256))).join('');
  const validOip = { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 8], data: Object.values(HOUSE) }] };
  const bodies: (() => string)[] = [
    () => '',
    () => bytes(1 + Math.floor(r() * 200)),
    () => JSON.stringify(validOip).slice(0, Math.floor(r() * 80)),
    () => JSON.stringify({ inputs: [{ name: 'features', datatype: pick(['FP32', 'BYTES', 'INT64', 'FP16', 'BOOL', 'NOPE']), shape: [pick([1, -1, 0, 1e9]), 8], data: [pick([1, 'x', null, 1e309, -0])] }] }),
    () => JSON.stringify({ instances: [{ ...HOUSE, sqft: pick(['big', null, -1, 1e300, [], {}]) }] }),
    () => JSON.stringify({ instances: pick([[], null, 'x', Array.from({ length: 2000 }, () => HOUSE)]) }),
    () => '['.repeat(5000) + ']'.repeat(5000),
    () => JSON.stringify({ stage: pick(['production', 'nope', 1]), version: pick(['1.0.0', 'x']), principal: pick(['', 'x'.repeat(100)]), role: 'god', reason: 'r'.repeat(2000) }),
    () => `--zz\r\nContent-Disposition: form-data; name="manifest"\r\n\r\n${bytes(40)}`,
    () => `--zz\r\nContent-Disposition: form-data; name="model"; filename="m.onnx"\r\n\r\n${bytes(64)}\r\n--zz--\r\n`,
    () => '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}',
    () => JSON.stringify({ id: bytes(10), parameters: { user_id: { nested: [1, 2] } }, inputs: 'features' }),
  ];
  return () => {
    const template = pick(ROUTES);
    const path = template
      .replace(/\{m\}/g, () => pick(NAMES))
      .replace(/\{v\}/g, () => pick(VERSIONS))
      .replace(/\{a\}/g, () => pick(['canary', 'x'.repeat(200), '%20']))
      .replace(/\{id\}/g, () => pick(['abc', 'x'.repeat(300), '%FF']))
      .replace(/\{junk\}/g, () => encodeURIComponent(bytes(1 + Math.floor(r() * 20))));
    const query = r() < 0.2 ? `?version=${pick(VERSIONS)}&limit=${pick(['-1', 'x', '1e9', '5'])}&after=${pick(['nan', '0'])}` : '';
    const method = pick(METHODS);
    const headers: Record<string, string> = {};
    const type = pick(TYPES);
    if (type) headers['content-type'] = type;
    const auth = r();
    if (auth < 0.4) headers.authorization = `Bearer ${ADMIN_TOKEN}`;
    else if (auth < 0.6) headers.authorization = pick(['Bearer', 'Bearer x', 'Basic YWRtaW4=', `Bearer ${'t'.repeat(5000)}`]);
    if (r() < 0.2) headers['x-model-version'] = pick(VERSIONS.concat(['canary', 'stable', '../../x']));
    if (r() < 0.1) headers['x-user-id'] = bytes(8).replace(/[^\x20-\x7e]/g, '?');
    if (r() < 0.1) headers.accept = 'application/x-ndjson';
    const body = method === 'GET' || method === 'HEAD' ? undefined : pick(bodies)();
    return { method, path: path + query, headers, body };
  };
}

/** Malformed HTTP on raw sockets: the server must answer or close, never crash. */
const RAW = [
  'GARBAGE\r\n\r\n',
  'GET / HTTP/9.9\r\n\r\n',
  `GET /v2 HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
  'POST /v1/models/property-valuation/predict HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nxx\r\n0\r\n\r\n',
  'POST /v1/models/property-valuation/predict HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\ncontent-length: 20\r\n\r\n0123456789',
  'POST /v2/models/property-valuation/infer HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{"inputs":',
  'GET /v2/health/live HTTP/1.1\r\nhost: x\r\n\r\nGET /v2 HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n',
  '\u0000\u0001\u0002\u0003',
];

function rawExchange(port: number, payload: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    const done = () => resolve(out);
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
    socket.on('error', done);
    socket.on('close', done);
    socket.write(payload, () => socket.end());
  });
}

export async function fuzz(opts: ChaosOptions): Promise<ScenarioResult> {
  const started = Date.now();
  const home = new GatewayHome();
  const gw = await home.start({ MODELGATE_MAX_BODY_BYTES: '262144' });
  const failures: string[] = [];
  const total = Math.max(10_000, opts.durationS * 400);
  const next = generator(20261201);
  let sent = 0;
  const counts: Record<string, number> = {};
  try {
    const outcomes = await keepAliveLoad({ url: gw.url, connections: 16, next: () => (sent++, next(sent)), stop: () => sent >= total });
    const leaks = outcomes.filter((o) => STACK_OR_PATH.test(o.body));
    counts.requests = outcomes.length;
    counts.s2xx = outcomes.filter((o) => o.status >= 200 && o.status < 300).length;
    counts.s4xx = outcomes.filter((o) => o.status >= 400 && o.status < 500).length;
    // A readiness probe answers 503 when a model is not ready (the fuzz unloads models): the protocol's answer, not a failure.
    const probe = (o: Outcome) => o.status === 503 && /\/ready(\?|$)/.test(o.path);
    counts.readinessFalse = outcomes.filter(probe).length;
    counts.s5xx = outcomes.filter((o) => o.status >= 500 && !probe(o)).length;
    counts.connErrors = outcomes.filter((o) => o.error).length;
    counts.stackOrPathInBody = leaks.length;
    let raw = 0;
    const port = Number(new URL(gw.url).port);
    for (let i = 0; i < 40; i++) for (const p of RAW) (await rawExchange(port, p)).startsWith('HTTP/1.1 5') ? failures.push(`raw 5xx for ${JSON.stringify(p.slice(0, 40))}`) : raw++;
    counts.rawSocketCases = raw;
    const live = await fetch(`${gw.url}/v2/health/live`);
    counts.aliveAtEnd = live.status === 200 && gw.child.exitCode === null ? 1 : 0;
    for (const o of outcomes.filter((x) => x.status >= 500 && !probe(x)).slice(0, 3)) failures.push(`5xx: ${o.method} ${o.path.slice(0, 80)} ${o.status} ${o.body.slice(0, 200)}`);
    for (const o of outcomes.filter((x) => x.error).slice(0, 3)) failures.push(`no answer: ${o.method} ${o.path.slice(0, 80)} ${o.error}`);
    for (const o of leaks.slice(0, 3)) failures.push(`stack/path in body: ${o.body.slice(0, 200)}`);
    if (counts.connErrors) failures.push(`${counts.connErrors} requests got no HTTP answer`);
    if (!counts.aliveAtEnd) failures.push('gateway not alive after the fuzz');
    counts.auditOk = await auditVerify(gw.url, failures);
  } finally {
    counts.exitCode = (await gw.stop()) ?? -1;
  }
  return { name: 'fuzz', counts, failures, seconds: (Date.now() - started) / 1000 };
}
