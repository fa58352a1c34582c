import { z } from 'zod';
import { OipDatatype } from '../contracts/manifest.js';

const Scalar = z.union([z.string(), z.number(), z.boolean()]);
const Parameters = z.record(z.string(), Scalar);
/** Tensor data is checked element by element later, against the model; here only "an array". */
const Data = z
  .custom<unknown[]>((v) => Array.isArray(v), 'data must be an array')
  .meta({ type: 'array', description: 'Tensor data, flat or nested, row-major; checked element by element against the model.' });

const InputTensor = z.object({
  name: z.string().min(1).max(256),
  shape: z.array(z.number().int().min(0)).max(16),
  datatype: OipDatatype,
  parameters: Parameters.optional(),
  data: Data,
});

/** Open Inference Protocol V2 inference request (REST/JSON, tensor data inline). */
export const InferRequest = z.object({
  id: z.string().max(256).optional(),
  parameters: Parameters.optional(),
  inputs: z.array(InputTensor).min(1, 'at least one input is required'),
  outputs: z.array(z.object({ name: z.string().min(1), parameters: Parameters.optional() })).optional(),
});
export type InferRequest = z.infer<typeof InferRequest>;

/**
 * The JSON header of a binary tensor request (OIP's binary tensor extension): an input carries
 * `data`, or `parameters.binary_data_size` and its bytes after the header.
 */
export const InferenceHeader = InferRequest.extend({
  inputs: z
    .array(InputTensor.extend({ data: Data.optional() }))
    .min(1, 'at least one input is required'),
});
export type InferenceHeader = z.infer<typeof InferenceHeader>;

/** modelgate's JSON API: named features per instance. */
export const PredictBody = z.object({
  instances: z.array(z.record(z.string(), z.unknown())).min(1, 'instances must not be empty'),
  parameters: Parameters.optional(),
});
export type PredictBody = z.infer<typeof PredictBody>;

/** Triton repository API load/unload body: optional `parameters.version`. */
export const RepositoryLoadBody = z
  .object({ parameters: z.object({ version: z.string().optional() }).partial().optional() })
  .optional();
