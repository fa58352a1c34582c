import { createHash } from 'node:crypto';
import type { FeatureSpec } from '../../src/contracts/manifest.js';
import { LOCATION_CLUSTERS, type Property, type PropertyAttribute } from './dataset.js';

/**
 * Feature schemas (the public, versioned contract of a model's `features` input) and the
 * tabular view of the simulated sales under a schema. `min`/`max` are the ranges a request may
 * send, i.e. the domain the simulation can produce, not the observed training extremes.
 */

export interface SchemaFeature extends FeatureSpec {
  name: PropertyAttribute;
}

const F = {
  sqft: { name: 'sqft', dtype: 'float', min: 400, max: 8000, unit: 'sqft', description: 'Living area' },
  bedrooms: { name: 'bedrooms', dtype: 'integer', min: 0, max: 8, description: 'Number of bedrooms (0 = studio)' },
  bathrooms: {
    name: 'bathrooms', dtype: 'float', min: 0.5, max: 6, description: 'Number of bathrooms, half baths count 0.5',
  },
  year_built: { name: 'year_built', dtype: 'integer', min: 1900, max: 2025, unit: 'year', description: 'Year of construction' },
  lot_size: { name: 'lot_size', dtype: 'float', min: 0, max: 100000, unit: 'sqft', description: 'Land area (0 for condos)' },
  location_cluster: {
    name: 'location_cluster', dtype: 'category', min: 0, max: LOCATION_CLUSTERS.length - 1,
    description: 'Market area of the property', categories: [...LOCATION_CLUSTERS],
  },
  condition: { name: 'condition', dtype: 'integer', min: 1, max: 5, description: 'Inspection grade, 1 = poor, 5 = excellent' },
  garage_spaces: { name: 'garage_spaces', dtype: 'integer', min: 0, max: 4, description: 'Covered parking spaces' },
  distance_to_center_km: {
    name: 'distance_to_center_km', dtype: 'float', min: 0, max: 100, unit: 'km', description: 'Road distance to the city centre',
  },
  has_pool: { name: 'has_pool', dtype: 'integer', min: 0, max: 1, description: '1 if the property has a swimming pool' },
  energy_rating: {
    name: 'energy_rating', dtype: 'integer', min: 1, max: 7, description: 'Energy performance class, 1 = G (worst) .. 7 = A (best)',
  },
} satisfies Record<PropertyAttribute, SchemaFeature>;

/** Schema of property-valuation 1.x: what the original listing feed provided. */
export const SCHEMA_V1: readonly SchemaFeature[] = [
  F.sqft, F.bedrooms, F.bathrooms, F.year_built, F.lot_size, F.location_cluster, F.condition, F.garage_spaces,
];

/** Schema of property-valuation 2.x: lot size dropped, geo and amenity enrichment added. */
export const SCHEMA_V2: readonly SchemaFeature[] = [
  F.sqft, F.bedrooms, F.bathrooms, F.year_built, F.location_cluster, F.condition, F.garage_spaces,
  F.distance_to_center_km, F.has_pool, F.energy_rating,
];

/** Sales under one schema: rows follow `columns` (the manifest feature order). */
export interface Table {
  columns: string[];
  rows: number[][];
  targets: number[];
}

export function toTable(sales: readonly Property[], schema: readonly SchemaFeature[]): Table {
  return {
    columns: schema.map((f) => f.name),
    rows: sales.map((p) => schema.map((f) => p[f.name])),
    targets: sales.map((p) => p.price),
  };
}

/**
 * sha256 of a canonical CSV-like serialisation (header, then one line per row with the target
 * last). Number#toString is exact and locale-free, so the hash is stable across machines.
 */
export function hashTable(table: Table): string {
  const h = createHash('sha256');
  h.update([...table.columns, 'price'].join(',') + '\n');
  table.rows.forEach((row, i) => h.update([...row, table.targets[i] ?? Number.NaN].join(',') + '\n'));
  return h.digest('hex');
}

/** Splits off the last `holdoutCount` rows; the simulation is i.i.d., so order is already random. */
export function splitHoldout(table: Table, holdoutCount: number): { train: Table; holdout: Table } {
  const cut = table.rows.length - holdoutCount;
  return {
    train: { columns: table.columns, rows: table.rows.slice(0, cut), targets: table.targets.slice(0, cut) },
    holdout: { columns: table.columns, rows: table.rows.slice(cut), targets: table.targets.slice(cut) },
  };
}
