import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';

/**
 * The onnxruntime-node session every baseline server uses, set up as the gateway's inline runner
 * is (CPU, one intra-op and one inter-op thread, full graph optimisation), with its first input
 * and output names: so a ratio compares the servers, not session settings.
 */
export async function baselineSession(modelPath: string): Promise<{ session: ort.InferenceSession; input: string; output: string }> {
  const session = await ort.InferenceSession.create(readFileSync(modelPath), {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  return { session, input: session.inputNames[0] as string, output: session.outputNames[0] as string };
}
