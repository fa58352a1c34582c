import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../support/fixtures.js';
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
});
