/** The request bodies every target of the benchmark receives (the same bytes for gateway and baselines). */

/** One house for property-valuation 1.x, as the v1 JSON API takes it. */
export const HOUSE = {
  sqft: 1800, bedrooms: 3, bathrooms: 2, year_built: 1995, lot_size: 6000,
  location_cluster: 1, condition: 4, garage_spaces: 2,
};

/** Feature order of property-valuation 1.x (its manifest's), for the minimal ORT handler. */
export const HOUSE_FEATURES = Object.keys(HOUSE) as (keyof typeof HOUSE)[];

export const PREDICT_BODY = JSON.stringify({ instances: [HOUSE] });

/** The same house as an OIP V2 infer request (location_cluster as its code). */
export const INFER_BODY = JSON.stringify({
  inputs: [{ name: 'features', datatype: 'FP32', shape: [1, HOUSE_FEATURES.length], data: HOUSE_FEATURES.map((f) => HOUSE[f]) }],
});

/** One 512-wide row for mlp-heavy as an OIP V2 infer request (short decimals keep JSON small). */
export const HEAVY_BODY = JSON.stringify({
  inputs: [{ name: 'input', datatype: 'FP32', shape: [1, 512], data: Array.from({ length: 512 }, (_, i) => (((i * 37) % 200) - 100) / 100) }],
});
