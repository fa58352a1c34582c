import ort from 'onnxruntime-node';
import { firstLine } from '../contracts/run-failure.js';
import type { ExecutionProvider, SessionOptions } from '../contracts/runner.js';

export interface CreatedSession {
  session: ort.InferenceSession;
  provider: ExecutionProvider;
  /** Providers that failed before this one, with why: logged by the caller. */
  fallbacks: { provider: ExecutionProvider; error: string }[];
}

/**
 * Create an ORT session on the first provider that works. onnxruntime does not fall back by
 * itself when a provider's library or adapter is missing (it rejects), so we try each in turn.
 */
export async function createSession(model: Uint8Array | string, options: SessionOptions): Promise<CreatedSession> {
  const fallbacks: CreatedSession['fallbacks'] = [];
  const providers = options.providers.length > 0 ? options.providers : (['cpu'] as const);
  for (const provider of providers) {
    try {
      const sessionOptions: ort.InferenceSession.SessionOptions = {
        executionProviders: [provider],
        intraOpNumThreads: options.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
        // Fatal only: a run that fails is reported once, by us, with the request it belongs to.
        logSeverityLevel: 4,
      };
      // A path (an upload's file) is read by onnxruntime itself, never whole into the JS heap.
      const session = typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions);
      return { session, provider, fallbacks };
    } catch (err) {
      fallbacks.push({ provider, error: firstLine(err) });
    }
  }
  const why = fallbacks.map((f) => `${f.provider}: ${f.error}`).join('; ');
  throw new Error(`no execution provider could create a session (${why})`);
}

// Provider load failures are expected on CPU-only hosts; we log each fallback ourselves, once.
ort.env.logLevel = 'fatal';
