import { z } from 'zod';
import { WarmupSpec, type WarmupSample } from '../contracts/manifest.js';

const OipInput = z.object({ name: z.string().min(1), shape: z.array(z.number().int().min(0)), data: z.array(z.unknown()) });
const OipRequest = z.object({ inputs: z.array(OipInput).min(1) });

const toSample = (r: z.infer<typeof OipRequest>): WarmupSample =>
  Object.fromEntries(r.inputs.map((i) => [i.name, { data: i.data, shape: i.shape }]));

/**
 * A warm-up file as a user has it: an OIP V2 infer request (`{"inputs": [...]}`, the body they
 * would POST), a list of them, or the manifest's own `warmup` object. Returns the manifest form.
 */
export function parseWarmupFile(json: unknown): WarmupSpec {
  const one = OipRequest.safeParse(json);
  if (one.success) return WarmupSpec.parse({ samples: [toSample(one.data)] });
  const many = z.array(OipRequest).min(1).safeParse(json);
  if (many.success) return WarmupSpec.parse({ samples: many.data.map(toSample) });
  const spec = WarmupSpec.safeParse(json);
  if (spec.success) return spec.data;
  throw new Error(
    'a warm-up file is an OIP infer request {"inputs": [{"name", "shape", "datatype", "data"}]}, a list of them, ' +
      `or {"samples": [...], "dims": {...}, "enabled": true}: ${z.prettifyError(spec.error)}`,
  );
}
