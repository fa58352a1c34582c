import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { OipDatatype } from '../../src/contracts/manifest.js';

const { onnx } = onnxProto;
const DT = onnx.TensorProto.DataType;

/** ONNX element type of each OIP datatype. */
export const ONNX_TYPE: Record<OipDatatype, number> = {
  BOOL: DT.BOOL, UINT8: DT.UINT8, UINT16: DT.UINT16, UINT32: DT.UINT32, UINT64: DT.UINT64,
  INT8: DT.INT8, INT16: DT.INT16, INT32: DT.INT32, INT64: DT.INT64,
  FP16: DT.FLOAT16, FP32: DT.FLOAT, FP64: DT.DOUBLE, BYTES: DT.STRING,
};

export const ALL_DATATYPES = Object.keys(ONNX_TYPE) as OipDatatype[];

export const tempDir = (prefix = 'modelgate-test-') => mkdtempSync(join(tmpdir(), prefix));

/** A models/ folder holding copies of the committed demo models (so tests may break them). */
export function copyDemoModels(into = tempDir()): string {
  cpSync(join(process.cwd(), 'models', 'property-valuation'), join(into, 'property-valuation'), { recursive: true });
  return into;
}

/**
 * Writes models/identity/<version>/: one Identity per OIP datatype (input `in_<type>` [-1, 2] ->
 * output `out_<type>`), with a valid manifest. Exercises every tensor codec end to end.
 */
export function writeIdentityModel(modelsDir: string, version = '1.0.0'): string {
  const vi = (name: string, dt: OipDatatype) => ({
    name,
    type: { tensorType: { elemType: ONNX_TYPE[dt], shape: { dim: [{ dimParam: 'N' }, { dimValue: 2 }] } } },
  });
  const lower = (d: OipDatatype) => d.toLowerCase();
  const graph = onnx.GraphProto.create({
    name: 'identity',
    node: ALL_DATATYPES.map((d) => onnx.NodeProto.create({ opType: 'Identity', input: [`in_${lower(d)}`], output: [`out_${lower(d)}`] })),
    input: ALL_DATATYPES.map((d) => vi(`in_${lower(d)}`, d)),
    output: ALL_DATATYPES.map((d) => vi(`out_${lower(d)}`, d)),
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'modelgate-tests',
    opsetImport: [{ domain: '', version: 17 }],
    graph,
  });
  const bytes = onnx.ModelProto.encode(model).finish();
  const dir = join(modelsDir, 'identity', version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), bytes);
  const tensor = (prefix: string) => ALL_DATATYPES.map((d) => ({ name: `${prefix}_${lower(d)}`, datatype: d, shape: [-1, 2] }));
  const manifest = {
    name: 'identity',
    version,
    description: 'Identity of every OIP datatype (test fixture)',
    dataVersion: 'none',
    trainingDataHash: sha256(Buffer.from('none')),
    artifact: { path: 'model.onnx', sha256: sha256(bytes), bytes: bytes.length },
    inputs: tensor('in'),
    outputs: tensor('out'),
    framework: { name: 'onnx', irVersion: 8, opset: 17 },
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A sample house for property-valuation 1.x (named features, one instance). */
export const HOUSE_V1 = {
  sqft: 1800, bedrooms: 3, bathrooms: 2, year_built: 1995, lot_size: 6000,
  location_cluster: 1, condition: 4, garage_spaces: 2,
};

/** The same house for 2.0.0's feature set (lot_size dropped; geo and amenities added). */
export const HOUSE_V2 = {
  sqft: 1800, bedrooms: 3, bathrooms: 2, year_built: 1995, location_cluster: 1, condition: 4,
  garage_spaces: 2, distance_to_center_km: 8.5, has_pool: 0, energy_rating: 4,
};
