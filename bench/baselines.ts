// Baseline servers, each run as its own process: `node dist/bench/baselines.js <bare|parse|parse-stamped|ort|ort-stamped|ort-binary> <port> [model.onnx]`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import ort from 'onnxruntime-node';
import { baselineSession } from './baseline-session.js';
import { randomUUID } from 'node:crypto';
import { HOUSE_FEATURES } from './workload.js';

type Instances = { instances: Record<string, number>[] };
type Infer = { id?: string; inputs: { name: string; shape: number[]; datatype: string; data: number[] }[] };

/** A bare Hono JSON endpoint: the ceiling of Hono on node-server here. */
function bare(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json({ ok: true }));
  return app;
}

/**
 * A stamped answer: what the gateway sends, its body (model, version, request id, route) and its
 * five stamp headers, with a fresh request id each time. Baselines given one answer with it
 * instead of their least. They are not targets: they tell how much of the gateway's gap to a
 * baseline is the stamped response itself (bytes the server writes and the client parses) and
 * how much is the gateway's own work.
 */
interface Answer {
  v1(predictions: number[]): Response;
  oip(id: string | undefined, outputs: { name: string; shape: readonly number[]; data: number[] }[]): Response;
}

const json = (body: unknown, headers: Record<string, string>): Response => new Response(JSON.stringify(body), { status: 200, headers });

const stamps = (id: string, cache: string): Record<string, string> => ({
  'content-type': 'application/json',
  'x-request-id': id,
  'x-model-name': 'property-valuation',
  'x-model-version': '1.0.0',
  'x-model-route': 'flag:stable',
  'x-cache': cache,
});

/** x-cache as the gateway sends it in the compared scenario: hit, or bypass with the cache off. */
const stampedAnswer = (cache: 'hit' | 'bypass'): Answer => ({
  v1: (predictions) => {
    const id = randomUUID();
    return json({ model: 'property-valuation', version: '1.0.0', predictions, request_id: id }, stamps(id, cache));
  },
  oip: (given, outputs) => {
    const id = given ?? randomUUID();
    const body = { model_name: 'property-valuation', model_version: '1.0.0', outputs: outputs.map((o) => ({ ...o, datatype: 'FP32' })), id, parameters: { route: 'flag:stable' } };
    return json(body, stamps(id, cache));
  },
});

/** property-valuation 1.0.0's answer for the benchmark's house: stamped answers as long as the gateway's. */
const PRICE = 417796.40625;

/** Hono that parses the predict body and answers: what a cache hit cannot beat. */
function parseAndRespond(stamped?: Answer): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json({ ok: true }));
  app.post('/predict', async (c) => {
    const body = await c.req.json<Instances>();
    if (stamped) return stamped.v1(body.instances.map(() => PRICE));
    return c.json({ predictions: body.instances.map(() => 0) });
  });
  app.post('/infer', async (c) => {
    const body = await c.req.json<Infer>();
    if (stamped) return stamped.oip(body.id, body.inputs.map((t) => ({ name: 'price', shape: [t.shape[0] ?? 1, 1], data: [PRICE] })));
    return c.json({ model_name: 'm', id: body.id ?? '', outputs: body.inputs.map((t) => ({ name: t.name, shape: [t.shape[0], 1], datatype: t.datatype, data: [0] })) });
  });
  return app;
}

/** The least a Hono + onnxruntime-node predict handler does: parse, encode, run, answer. */
async function minimalOrt(modelPath: string, stamped?: Answer): Promise<Hono> {
  const { session, input, output } = await baselineSession(modelPath);
  const app = new Hono();
  app.get('/', (c) => c.json({ ok: true }));
  app.post('/predict', async (c) => {
    const { instances } = await c.req.json<Instances>();
    const cols = HOUSE_FEATURES.length;
    const data = new Float32Array(instances.length * cols);
    instances.forEach((inst, r) => HOUSE_FEATURES.forEach((f, j) => (data[r * cols + j] = inst[f] ?? 0)));
    const out = await session.run({ [input]: new ort.Tensor('float32', data, [instances.length, cols]) });
    const predictions = Array.from(out[output]?.data as Float32Array);
    return stamped ? stamped.v1(predictions) : c.json({ predictions });
  });
  // The same for an OIP V2 body: the tensor as sent, the output as OIP renders it.
  app.post('/infer', async (c) => {
    const body = await c.req.json<Infer>();
    const t = body.inputs[0];
    if (!t) return c.json({ error: 'no input' }, 400);
    const out = await session.run({ [input]: new ort.Tensor('float32', Float32Array.from(t.data), t.shape) });
    const y = out[output];
    if (stamped) return stamped.oip(body.id, [{ name: output, shape: y?.dims ?? [], data: Array.from(y?.data as Float32Array) }]);
    return c.json({ model_name: 'property-valuation', id: body.id ?? '', outputs: [{ name: output, shape: y?.dims, datatype: 'FP32', data: Array.from(y?.data as Float32Array) }] });
  });
  return app;
}

/**
 * The least a Hono + onnxruntime-node handler does for a binary tensor request (OIP's binary
 * extension): read the raw body, parse the small JSON header, view the tensor bytes after it
 * (copied once when unaligned), run, and answer what the gateway answers: a JSON header with the
 * output's binary_data_size, the output's bytes, Inference-Header-Content-Length and the stamps.
 */
async function minimalOrtBinary(modelPath: string): Promise<Hono> {
  const { session, input, output } = await baselineSession(modelPath);
  const app = new Hono();
  app.get('/', (c) => c.json({ ok: true }));
  app.post('/infer', async (c) => {
    const headerLength = Number(c.req.header('inference-header-content-length'));
    const body = Buffer.from(await c.req.arrayBuffer());
    const header = JSON.parse(body.toString('utf8', 0, headerLength)) as { id?: string; inputs: { shape: number[]; parameters: { binary_data_size: number } }[] };
    const t = header.inputs[0];
    if (!t) return c.json({ error: 'no input' }, 400);
    const size = t.parameters.binary_data_size;
    const data = (body.byteOffset + headerLength) % 4 === 0
      ? new Float32Array(body.buffer, body.byteOffset + headerLength, size / 4)
      : new Float32Array(body.buffer.slice(body.byteOffset + headerLength, body.byteOffset + headerLength + size));
    const out = (await session.run({ [input]: new ort.Tensor('float32', data, t.shape) }))[output];
    const y = out?.data as Float32Array;
    const id = header.id ?? randomUUID();
    const json = Buffer.from(JSON.stringify({
      model_name: 'image-classifier', model_version: '1',
      outputs: [{ name: output, shape: out?.dims, datatype: 'FP32', parameters: { binary_data_size: y.byteLength } }],
      id, parameters: { route: 'flag:stable' },
    }));
    return new Response(Buffer.concat([json, Buffer.from(y.buffer, y.byteOffset, y.byteLength)]), {
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(json.length),
        'x-request-id': id,
        'x-model-name': 'image-classifier',
        'x-model-version': '1',
        'x-model-route': 'flag:stable',
        'x-cache': 'bypass',
      },
    });
  });
  return app;
}

async function main(): Promise<void> {
  const [kind, port, model] = process.argv.slice(2);
  let app: Hono;
  if (kind === 'bare') app = bare();
  else if (kind === 'parse') app = parseAndRespond();
  else if (kind === 'parse-stamped') app = parseAndRespond(stampedAnswer('hit'));
  else if (kind === 'ort' && model) app = await minimalOrt(model);
  else if (kind === 'ort-stamped' && model) app = await minimalOrt(model, stampedAnswer('bypass'));
  else if (kind === 'ort-binary' && model) app = await minimalOrtBinary(model);
  else throw new Error('usage: baselines.js <bare|parse|parse-stamped|ort|ort-stamped|ort-binary> <port> [model.onnx]');
  const server = serve({ fetch: app.fetch, port: Number(port), hostname: '127.0.0.1' });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('SIGINT', () => server.close(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
