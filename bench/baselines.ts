// Baseline servers, each run as its own process: `node dist/bench/baselines.js <bare|parse|ort> <port> [model.onnx]`.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { HOUSE_FEATURES } from './workload.js';

type Instances = { instances: Record<string, number>[] };
type Infer = { id?: string; inputs: { name: string; shape: number[]; datatype: string; data: number[] }[] };

/** A bare Hono JSON endpoint: the ceiling of Hono on node-server here. */
function bare(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json({ ok: true }));
  return app;
}

/** Hono that parses the predict body and answers: what a cache hit cannot beat. */
function parseAndRespond(): Hono {
  const app = new Hono();
  app.get('/', (c) => c.json({ ok: true }));
  app.post('/predict', async (c) => {
    const body = await c.req.json<Instances>();
    return c.json({ predictions: body.instances.map(() => 0) });
  });
  app.post('/infer', async (c) => {
    const body = await c.req.json<Infer>();
    return c.json({ model_name: 'm', id: body.id ?? '', outputs: body.inputs.map((t) => ({ name: t.name, shape: [t.shape[0], 1], datatype: t.datatype, data: [0] })) });
  });
  return app;
}

/** The least a Hono + onnxruntime-node predict handler does: parse, encode, run, answer. */
async function minimalOrt(modelPath: string): Promise<Hono> {
  const session = await ort.InferenceSession.create(readFileSync(modelPath), {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const input = session.inputNames[0] as string;
  const output = session.outputNames[0] as string;
  const app = new Hono();
  app.get('/', (c) => c.json({ ok: true }));
  app.post('/predict', async (c) => {
    const { instances } = await c.req.json<Instances>();
    const cols = HOUSE_FEATURES.length;
    const data = new Float32Array(instances.length * cols);
    instances.forEach((inst, r) => HOUSE_FEATURES.forEach((f, j) => (data[r * cols + j] = inst[f] ?? 0)));
    const out = await session.run({ [input]: new ort.Tensor('float32', data, [instances.length, cols]) });
    return c.json({ predictions: Array.from(out[output]?.data as Float32Array) });
  });
  // The same for an OIP V2 body: the tensor as sent, the output as OIP renders it.
  app.post('/infer', async (c) => {
    const body = await c.req.json<Infer>();
    const t = body.inputs[0];
    if (!t) return c.json({ error: 'no input' }, 400);
    const out = await session.run({ [input]: new ort.Tensor('float32', Float32Array.from(t.data), t.shape) });
    const y = out[output];
    return c.json({ model_name: 'property-valuation', id: body.id ?? '', outputs: [{ name: output, shape: y?.dims, datatype: 'FP32', data: Array.from(y?.data as Float32Array) }] });
  });
  return app;
}

async function main(): Promise<void> {
  const [kind, port, model] = process.argv.slice(2);
  let app: Hono;
  if (kind === 'bare') app = bare();
  else if (kind === 'parse') app = parseAndRespond();
  else if (kind === 'ort' && model) app = await minimalOrt(model);
  else throw new Error('usage: baselines.js <bare|parse|ort> <port> [model.onnx]');
  const server = serve({ fetch: app.fetch, port: Number(port), hostname: '127.0.0.1' });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
  process.on('SIGINT', () => server.close(() => process.exit(0)));
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
