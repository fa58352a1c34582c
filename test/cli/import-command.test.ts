import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { forestClassifier, sequenceOutputClassifier } from '../../tools/training/forest-classifier.js';
import { sha256, tempDir } from '../support/fixtures.js';
import { THIRD_PARTY, sileroV4Request, thirdPartyModel, warmupFile } from '../support/third-party-models.js';

const run = promisify(execFile);
const CLI = [join(process.cwd(), 'node_modules', '.bin', 'tsx'), join(process.cwd(), 'src', 'cli', 'main.ts')];

/** `modelgate import` as a user runs it: a real process, exit status and output. */
async function modelgate(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(CLI[0] as string, [CLI[1] as string, ...args], { env: { ...process.env, MODELGATE_LOG_LEVEL: 'silent' } });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout, err: err.stderr };
  }
}

describe('modelgate import', () => {
  it('refuses a model its generated warm-up cannot run, saying what onnxruntime said and how to give a sample; imports it with one', async () => {
    const models = tempDir('modelgate-import-cli-');
    const file = thirdPartyModel(THIRD_PARTY.sileroV4);
    const refused = await modelgate('import', file, '--name', 'vad', '--version', '1', '--models-dir', models);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/warm-up with a generated request .* onnxruntime said: .*Pad reflect.* give a warm-up sample/);
    expect(existsSync(join(models, 'vad'))).toBe(false);

    const sample = join(models, 'sample.json');
    writeFileSync(sample, warmupFile(sileroV4Request(1, 1)));
    const ok = await modelgate('import', file, '--name', 'vad', '--version', '1', '--models-dir', models, '--warmup', sample);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/vad@1: ONNX IR 8, opset 16, producer pytorch 1\.12\.0/);
    expect(ok.out).toMatch(/unknown \(not in the file\): dataVersion, trainingDataHash, createdAt/);
    const manifest = JSON.parse(readFileSync(join(models, 'vad', '1', 'manifest.json'), 'utf8')) as { warmup: { samples: unknown[] } };
    expect(manifest.warmup.samples).toHaveLength(1);

    const again = await modelgate('import', file, '--name', 'vad', '--version', '1', '--models-dir', models, '--no-warmup');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/vad@1 already exists/);
  }, 60_000);

  it("imports scikit-learn's default export (ZipMap): labels and the change in the manifest, the file's own sha256 and bytes; refuses another non-tensor output", async () => {
    const models = tempDir('modelgate-import-zipmap-');
    const file = join(models, 'forest.onnx');
    const bytes = forestClassifier({ labels: 'string', zipmap: true });
    writeFileSync(file, bytes);
    const ok = await modelgate('import', file, '--name', 'iris', '--version', '1', '--models-dir', models);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/producer skl2onnx 1\.16\.0/);
    expect(ok.out).toMatch(/output_probability: FP32 \[-1, 3\] \(in place of ZipMap; labels setosa, versicolor, virginica\)/);
    const manifest = JSON.parse(readFileSync(join(models, 'iris', '1', 'manifest.json'), 'utf8')) as { artifact: { sha256: string }; outputs: unknown[] };
    expect(manifest.outputs).toEqual([
      { name: 'output_label', datatype: 'BYTES', shape: [-1] },
      { name: 'output_probability', datatype: 'FP32', shape: [-1, 3], converted: { from: 'ZipMap', labels: ['setosa', 'versicolor', 'virginica'], labelOutput: 'output_label' } },
    ]);
    expect(manifest.artifact.sha256).toBe(sha256(bytes));
    expect(sha256(readFileSync(join(models, 'iris', '1', 'model.onnx')))).toBe(sha256(bytes));

    const seq = join(models, 'seq.onnx');
    writeFileSync(seq, sequenceOutputClassifier());
    const refused = await modelgate('import', seq, '--name', 'seq', '--version', '1', '--models-dir', models);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/output 'probability_rows' is a seq\(tensor\(float\)\) made by SplitToSequence .*re-export so that every output is a tensor \(scikit-learn: skl2onnx's options \{'zipmap': False\}/);
    expect(existsSync(join(models, 'seq'))).toBe(false);
  }, 60_000);
});
