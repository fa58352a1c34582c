import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeImageClassifier, IMAGE_CLASSES } from '../../tools/training/image-classifier.js';
import { binaryRequest, parseBinaryAnswer, tensorBytes } from '../support/binary-tensors.js';
import { copyDemoModels, tempDir } from '../support/fixtures.js';
import { flag, writeFlags } from '../support/flags.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { tracedRecord } from '../support/trace-record.js';

const run = promisify(execFile);
const MODEL = 'image-classifier';
const TOKEN = 'binary-e2e-admin-token-0123456789';
const SHAPE = [1, 3, 224, 224];
/** Small whole numbers: exact as FP32, and short enough as JSON to fit the default JSON body limit. */
const pixels = (seed: number) => Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => (i * 7 + seed) % 10);

interface CurlAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * curl --data-binary, a client nobody here wrote, as a Triton user would call it by hand. It sends
 * `content-type: application/x-www-form-urlencoded` by default: the gateway must not mind.
 */
async function curl(dir: string, url: string, body: Buffer, headers: Record<string, string | number> = {}): Promise<CurlAnswer> {
  const tag = Math.random().toString(36).slice(2);
  const bodyFile = join(dir, `${tag}.req`);
  const out = join(dir, `${tag}.out`);
  const head = join(dir, `${tag}.head`);
  writeFileSync(bodyFile, body);
  const args = ['-s', '-o', out, '-D', head, '-w', '%{http_code}', '--data-binary', `@${bodyFile}`, url];
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`);
  const { stdout } = await run('curl', args, { maxBuffer: 1 << 20 });
  const parsed: Record<string, string> = {};
  for (const line of readFileSync(head, 'utf8').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) parsed[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(stdout), headers: parsed, body: readFileSync(out) };
}

/** The image as the binary extension sends it, asking for binary or JSON outputs. */
function imageRequest(data: Float32Array, binaryOut: boolean, id?: string) {
  return binaryRequest([{ name: 'pixels', datatype: 'FP32', shape: SHAPE, bytes: tensorBytes(data) }], {
    ...(id ? { id } : {}),
    ...(binaryOut ? { parameters: { binary_data_output: true } } : {}),
  });
}

describe('end to end: the binary tensor extension with curl --data-binary, on a real gateway process', () => {
  let server: ServerProcess;
  let dir: string;
  let reference: (data: Float32Array) => Promise<number[]>;
  let url: string;

  beforeAll(async () => {
    dir = tempDir('modelgate-binary-e2e-');
    const model = encodeImageClassifier();
    // Triton-style folders without a manifest: the manifest is read from the graph. Version 2 is
    // the same graph with its own doc_string (ModelProto field 6, appended: the last one wins), so
    // its artifact differs.
    const doc = Buffer.from('version 2');
    const files = { '1': model, '2': Buffer.concat([model, Buffer.from([0x32, doc.length]), doc]) };
    for (const [v, bytes] of Object.entries(files)) {
      mkdirSync(join(dir, 'models', MODEL, v), { recursive: true });
      writeFileSync(join(dir, 'models', MODEL, v, 'model.onnx'), bytes);
    }
    // The demo model too: the README's binary example calls it.
    copyDemoModels(join(dir, 'models'));
    writeFlags(join(dir, 'flags.json'), [flag(MODEL, { variants: [{ name: 'one', weight: 500, version: '1' }, { name: 'two', weight: 500, version: '2' }] })]);
    // Only routing is configured: every limit is the default a new user gets.
    writeFileSync(
      join(dir, 'gateway.json'),
      JSON.stringify({ modelsDir: join(dir, 'models'), flags: { source: 'file', file: join(dir, 'flags.json') }, models: { [MODEL]: { aliases: { latest: '2' } } } }),
    );
    server = await startServerProcess({ MODELGATE_CONFIG: join(dir, 'gateway.json'), MODELGATE_ADMIN_TOKEN: TOKEN });
    url = `${server.url}/v2/models/${MODEL}/infer`;
    const session = await ort.InferenceSession.create(model);
    reference = async (data) => Array.from((await session.run({ pixels: new ort.Tensor('float32', data, SHAPE) })).logits?.data as Float32Array);
  }, 90_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("serves a new user's first image request with default settings: binary in, binary out, equal to onnxruntime", async () => {
    const data = pixels(1);
    const { body, headerLength } = imageRequest(data, true, 'first');
    expect(body.length).toBeGreaterThan(602_112);
    const res = await curl(dir, url, body, { 'Inference-Header-Content-Length': headerLength, 'x-user-id': 'new-user' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['x-model-name']).toBe(MODEL);
    expect(res.headers['x-cache']).toBe('miss');
    const answer = parseBinaryAnswer(res.body, Number(res.headers['inference-header-content-length']));
    expect(answer.header).toMatchObject({ model_name: MODEL, model_version: res.headers['x-model-version'], id: 'first', parameters: { route: res.headers['x-model-route'] } });
    expect(answer.header.outputs).toEqual([{ name: 'logits', datatype: 'FP32', shape: [1, IMAGE_CLASSES], parameters: { binary_data_size: 4 * IMAGE_CLASSES } }]);
    const logits = answer.bytes.get('logits') as Buffer;
    expect(Array.from(new Float32Array(logits.buffer.slice(logits.byteOffset, logits.byteOffset + logits.length)))).toEqual(await reference(data));
  });

  it('answers binary in with JSON outputs when none is asked binary, whatever the content-type clients send', async () => {
    const data = pixels(2);
    const { body, headerLength } = imageRequest(data, false);
    // Triton's clients send octet-stream or nothing, some send JSON's type; curl's own default (form-urlencoded) is covered above.
    for (const type of ['application/octet-stream', '', 'application/json']) {
      const res = await curl(dir, url, body, { 'Inference-Header-Content-Length': headerLength, 'content-type': type, 'cache-control': 'no-cache' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json');
      const json = JSON.parse(res.body.toString()) as { outputs: { name: string; data: number[] }[] };
      expect(json.outputs[0]?.data).toEqual(await reference(data));
    }
  });

  it('reads a chunked binary body (no Content-Length) as well', async () => {
    const data = pixels(7);
    const { body, headerLength } = imageRequest(data, true);
    const res = await curl(dir, url, body, { 'Inference-Header-Content-Length': headerLength, 'transfer-encoding': 'chunked' });
    expect(res.status).toBe(200);
    const logits = parseBinaryAnswer(res.body, Number(res.headers['inference-header-content-length'])).bytes.get('logits') as Buffer;
    expect(Array.from(new Float32Array(logits.buffer.slice(logits.byteOffset, logits.byteOffset + logits.length)))).toEqual(await reference(data));
  });

  it('routes by the flag (sticky per user) and pins by path, header and alias', async () => {
    const { body, headerLength } = imageRequest(pixels(3), true);
    const h = { 'Inference-Header-Content-Length': headerLength };
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const user = `user-${i}`;
      const a = await curl(dir, url, body, { ...h, 'x-user-id': user });
      const b = await curl(dir, url, body, { ...h, 'x-user-id': user });
      expect(a.status).toBe(200);
      expect(a.headers['x-model-route']).toMatch(/^flag:(one|two)$/);
      expect(b.headers['x-model-version']).toBe(a.headers['x-model-version']);
      seen.add(a.headers['x-model-version'] as string);
    }
    expect([...seen].sort()).toEqual(['1', '2']);
    const byPath = await curl(dir, `${server.url}/v2/models/${MODEL}/versions/2/infer`, body, h);
    expect([byPath.status, byPath.headers['x-model-version'], byPath.headers['x-model-route']]).toEqual([200, '2', 'pinned']);
    const byHeader = await curl(dir, url, body, { ...h, 'x-model-version': '1' });
    expect([byHeader.status, byHeader.headers['x-model-version'], byHeader.headers['x-model-route']]).toEqual([200, '1', 'pinned']);
    const byAlias = await curl(dir, url, body, { ...h, 'x-model-version': 'latest' });
    expect([byAlias.status, byAlias.headers['x-model-version']]).toEqual([200, '2']);
    expect(parseBinaryAnswer(byAlias.body, Number(byAlias.headers['inference-header-content-length'])).header.model_version).toBe('2');
  });

  it('hits the cache for a repeated binary body, with this request’s own id', async () => {
    const { body, headerLength } = imageRequest(pixels(4), true);
    const h = { 'Inference-Header-Content-Length': headerLength, 'x-model-version': '1' };
    const first = await curl(dir, url, body, { ...h, 'x-request-id': 'bin-miss' });
    const second = await curl(dir, url, body, { ...h, 'x-request-id': 'bin-hit' });
    expect([first.headers['x-cache'], second.headers['x-cache']]).toEqual(['miss', 'hit']);
    const a = parseBinaryAnswer(second.body, Number(second.headers['inference-header-content-length']));
    expect(a.header.id).toBe('bin-hit');
    expect(a.bytes.get('logits')).toEqual(parseBinaryAnswer(first.body, Number(first.headers['inference-header-content-length'])).bytes.get('logits'));
  });

  it("traces a binary request with the same input hash as the JSON request of the same values", async () => {
    const data = pixels(5);
    const { body, headerLength } = imageRequest(data, true);
    const h = { 'x-model-version': '1', 'cache-control': 'no-cache' };
    const bin = await curl(dir, url, body, { ...h, 'Inference-Header-Content-Length': headerLength, 'x-request-id': 'trace-bin' });
    const jsonBody = Buffer.from(JSON.stringify({ inputs: [{ name: 'pixels', datatype: 'FP32', shape: SHAPE, data: Array.from(data) }] }));
    const json = await curl(dir, url, jsonBody, { ...h, 'content-type': 'application/json', 'x-request-id': 'trace-json' });
    expect([bin.status, json.status]).toEqual([200, 200]);
    const traced = async (id: string) => (await tracedRecord(server.url, TOKEN, id)).inputDigest;
    const [b, j] = [await traced('trace-bin'), await traced('trace-json')];
    expect(b).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(b).toBe(j);
  });

  it('refuses what does not add up with a 4xx in OIP’s error shape', async () => {
    const { body, headerLength } = imageRequest(pixels(6), true);
    const bf16 = binaryRequest([{ name: 'pixels', datatype: 'BF16', shape: SHAPE, bytes: Buffer.alloc(2 * 3 * 224 * 224) }]);
    const fp64 = binaryRequest([{ name: 'pixels', datatype: 'FP64', shape: SHAPE, bytes: Buffer.alloc(8 * 3 * 224 * 224) }]);
    // Declares 70 MB of pixels (a batch of 116): refused once the header is in, before any data is read.
    const huge = binaryRequest([{ name: 'pixels', datatype: 'FP32', shape: [116, 3, 224, 224], bytes: Buffer.alloc(0) }]);
    const hugeHeader = Buffer.from(huge.body.toString().replace('"binary_data_size":0', `"binary_data_size":${116 * 602_112}`));
    const cases: [string, Buffer, Record<string, string | number>, number, string][] = [
      ['too few bytes', body.subarray(0, body.length - 4), { 'Inference-Header-Content-Length': headerLength }, 400, 'the sizes do not add up'],
      ['too many bytes', Buffer.concat([body, Buffer.alloc(4)]), { 'Inference-Header-Content-Length': headerLength }, 400, 'the sizes do not add up'],
      ['header length past the body', body, { 'Inference-Header-Content-Length': body.length + 1 }, 400, 'past the end of the'],
      ['bad header JSON', body, { 'Inference-Header-Content-Length': headerLength - 2 }, 400, 'is not valid JSON'],
      ['wrong datatype', fp64.body, { 'Inference-Header-Content-Length': fp64.headerLength }, 400, "input 'pixels' must have datatype FP32, got FP64"],
      ['BF16', bf16.body, { 'Inference-Header-Content-Length': bf16.headerLength }, 400, 'datatype BF16 is not supported'],
      ['declared over the binary limit', hugeHeader, { 'Inference-Header-Content-Length': hugeHeader.length, 'transfer-encoding': 'chunked' }, 413, 'binary tensor limit of 67108864 bytes'],
    ];
    for (const [name, b, headers, status, message] of cases) {
      const res = await curl(dir, url, b, headers);
      expect(res.status, name).toBe(status);
      const err = JSON.parse(res.body.toString()) as Record<string, unknown>;
      expect(Object.keys(err), name).toEqual(['error']);
      expect(err.error, name).toContain(message);
    }
  });

  it("runs the README's binary example as written (curl, node), with the output it shows", async () => {
    const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('### Binary tensors'));
    const block = section.split('```bash\n')[1]?.split('```')[0] ?? '';
    expect(block).toContain('--data-binary');
    const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', block.replaceAll('localhost:8080', server.url.replace('http://', ''))], { cwd: dir });
    // Every "# ..." line of the example's output, joined as the README wraps it, is what it printed.
    const shown = block.split('\n').filter((l) => l.startsWith('# ')).map((l) => l.slice(2).trim());
    const printed = stdout.replace(/\s+/g, '');
    for (const line of shown.slice(1)) expect(printed).toContain(line.replace(/\s+/g, ''));
  });

  it('counts binary predictions under protocol="oip-binary"', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(new RegExp(`modelgate_inference_requests_total\\{model="${MODEL}",version="1",protocol="oip-binary",status="success"\\} [1-9]`));
    expect(text).toMatch(new RegExp(`modelgate_inference_requests_total\\{model="${MODEL}",version="1",protocol="oip",status="success"\\} [1-9]`));
  });
});
