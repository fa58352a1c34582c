import { z } from 'zod';

/**
 * Unleash's client-features format (what GET /api/client/features returns), checked just enough
 * to refuse a broken edit: unleash-client evaluates the rest (strategies, constraints, variants).
 */
const Variant = z.looseObject({
  name: z.string().min(1),
  weight: z.number().int().min(0).max(1000),
  payload: z.looseObject({ type: z.string(), value: z.string() }).optional(),
  stickiness: z.string().optional(),
});

const Constraint = z.looseObject({
  contextName: z.string().min(1),
  operator: z.string().min(1),
  values: z.array(z.string()).optional(),
  value: z.string().optional(),
  inverted: z.boolean().optional(),
  caseInsensitive: z.boolean().optional(),
});

const Strategy = z.looseObject({
  name: z.string().min(1),
  parameters: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  constraints: z.array(Constraint).optional(),
  variants: z.array(Variant).optional(),
});

export const FeatureFlag = z.looseObject({
  name: z.string().min(1),
  enabled: z.boolean(),
  type: z.string().optional(),
  description: z.string().nullish(),
  strategies: z.array(Strategy).default([]),
  variants: z.array(Variant).nullish(),
});
export type FeatureFlag = z.infer<typeof FeatureFlag>;

export const ClientFeatures = z.looseObject({
  version: z.number().int().min(1),
  features: z.array(FeatureFlag),
});
export type ClientFeatures = z.infer<typeof ClientFeatures>;
