// How a ModelRunner's failure reads to a caller: next to the runner port, so every executor (the
// prediction service's direct path, the batcher) words it alike without importing the runtime.
import { GatewayError } from '../errors/index.js';

/** The first line of an ORT error, without the build's source paths and C++ symbols it embeds. */
export const firstLine = (err: unknown): string =>
  (String(err instanceof Error ? err.message : err).split('\n')[0] ?? '')
    .replace(/(?:\/[\w.+-]+)+(?::\d+)?/g, '')
    .replace(/\S*::\S*(?:\([^)]*\))?\S*/g, '')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * onnxruntime's run-time refusals that a request causes: a value, shape or dimension the graph
 * does not accept (the manifest allowed it, the graph's ops did not). Anything else (a disposed
 * session, a dead worker, allocation failure) is the gateway's fault.
 */
const REQUEST_CAUSED = [
  /invalid (?:dimensions|rank|argument|input|shape)/i,
  /dimension mismatch|shape mismatch|mismatch(?:ed)? (?:dim|shape)/i,
  /Non-zero status code returned while running/i,
  /out of (?:range|bounds)/i,
  /input tensor .* not|unexpected input data type/i,
];
const INTERNAL = [/Failed to allocate|bad_alloc|out of memory/i, /disposed|worker (?:is not running|exited|failed)/i];

/** The caller-safe text of an onnxruntime error: its first line, no source paths or C++ symbols. */
export const ortMessage = (err: unknown): string => firstLine(err);

/** An inference failure as the caller should see it: 400 with ORT's words when the request caused it, else 500. */
export function ortErrorToGatewayError(err: unknown, label: string): GatewayError {
  if (err instanceof GatewayError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  if (!INTERNAL.some((re) => re.test(raw)) && REQUEST_CAUSED.some((re) => re.test(raw))) {
    return new GatewayError('invalid_input', 400, `${label} refused the input: ${ortMessage(err)}`, { cause: err });
  }
  return new GatewayError('inference_failed', 500, `inference failed on ${label}`, { cause: err });
}
