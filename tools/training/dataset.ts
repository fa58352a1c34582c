import { Rng } from './rng.js';

/**
 * Synthetic, seeded property sales. A "property" carries every attribute the simulated world
 * knows about; each model schema (see features.ts) only sees some of them, which is how a
 * feature-set change (lot size out, geo features in) shows up as a real accuracy trade-off.
 */

export const LOCATION_CLUSTERS = ['downtown', 'suburb', 'waterfront', 'rural', 'industrial'] as const;

/** Reference year for ages; fixed so the data does not change with the calendar. */
const CURRENT_YEAR = 2026;

export interface Property {
  sqft: number;
  bedrooms: number;
  bathrooms: number;
  year_built: number;
  lot_size: number;
  location_cluster: number;
  condition: number;
  garage_spaces: number;
  distance_to_center_km: number;
  has_pool: number;
  energy_rating: number;
  /** Sale price in USD, rounded to $100 like a listing. */
  price: number;
}

export type PropertyAttribute = Exclude<keyof Property, 'price'>;

/** The pricing regime of one market snapshot (one data version). Arrays are indexed by cluster. */
export interface Market {
  id: string;
  seed: number;
  /** Structure value per sqft before adjustments. */
  pricePerSqft: readonly number[];
  /** Land value per sqft of lot (with diminishing returns). */
  landPerSqft: readonly number[];
  /** Fraction of structure value lost per year of age, up to `ageCapYears`. */
  ageRate: number;
  ageCapYears: number;
  /** Premium for homes built 100+ years ago (period homes). */
  historicPremium: number;
  /** Relative value change per energy-rating step above/below the middle (4). */
  energyStep: number;
  garageValue: readonly number[];
  poolValue: readonly number[];
  /** Exponential decay of value with distance to the city centre, per km. */
  distanceDecay: readonly number[];
  /** Multiplicative market noise (log-scale standard deviation). */
  noise: number;
}

export const MARKET_2026_01: Market = {
  id: '2026.01',
  seed: 20260101,
  pricePerSqft: [430, 230, 520, 140, 170],
  landPerSqft: [40, 12, 30, 2.5, 8],
  ageRate: 0.005,
  ageCapYears: 80,
  historicPremium: 0.08,
  energyStep: 0.01,
  garageValue: [30000, 12000, 15000, 8000, 6000],
  poolValue: [40000, 25000, 45000, 15000, 10000],
  distanceDecay: [0.06, 0.012, 0.015, 0.004, 0.01],
  noise: 0.07,
};

/**
 * Mid-2026: prices up ~8 %, waterfront demand surges, the age penalty softens (renovation boom
 * makes older stock more attractive) and energy efficiency and pools are worth more.
 */
export const MARKET_2026_06: Market = {
  ...MARKET_2026_01,
  id: '2026.06',
  seed: 20260601,
  pricePerSqft: [430 * 1.08, 230 * 1.08, 520 * 1.08 * 1.15, 140 * 1.08, 170 * 1.08],
  landPerSqft: [43, 13, 36, 2.7, 8.6],
  ageRate: 0.0035,
  ageCapYears: 90,
  historicPremium: 0.15,
  energyStep: 0.03,
  poolValue: [45000, 30000, 70000, 18000, 12000],
};

const CLUSTER_SHARE = [0.22, 0.38, 0.1, 0.17, 0.13];
const SQFT_MEDIAN = [1150, 2000, 2300, 2200, 1500];
const LOT_MEDIAN = [1800, 7500, 9000, 40000, 5000];
const GARAGE_SHARE = [
  [0.55, 0.35, 0.1, 0, 0],
  [0.05, 0.25, 0.5, 0.15, 0.05],
  [0.1, 0.3, 0.45, 0.1, 0.05],
  [0.15, 0.25, 0.35, 0.15, 0.1],
  [0.3, 0.4, 0.25, 0.05, 0],
];
const POOL_SHARE = [0.02, 0.2, 0.3, 0.12, 0.03];
const CONDITION_MULTIPLIER = [0.72, 0.85, 1, 1.1, 1.2];

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const roundTo = (x: number, step: number): number => Math.round(x / step) * step;
/** Distances keep one decimal; going through toFixed avoids 12.300000000000001 in the JSON. */
const oneDecimal = (x: number): number => Number(x.toFixed(1));

function simulateYear(rng: Rng, cluster: number): number {
  let year: number;
  switch (cluster) {
    case 0: // downtown: old core plus recent infill towers
      year = rng.next() < 0.45 ? rng.uniform(1900, 1950) : rng.uniform(1951, 2025);
      break;
    case 1:
      year = rng.normal(1985, 20);
      break;
    case 2:
      year = rng.normal(1975, 25);
      break;
    case 3:
      year = rng.normal(1960, 30);
      break;
    default:
      year = rng.normal(1965, 25);
  }
  return clamp(Math.round(year), 1900, 2025);
}

/** Draws the physical attributes of one property; market-independent. */
function simulateAttributes(rng: Rng): Property {
  const c = rng.categorical(CLUSTER_SHARE);
  const sqft = clamp(roundTo((SQFT_MEDIAN[c] ?? 1800) * Math.exp(0.38 * rng.gaussian()), 10), 400, 8000);
  const bedrooms = clamp(Math.round(sqft / 650 + 0.3 + 0.7 * rng.gaussian()), c === 0 ? 0 : 1, 8);
  const bathrooms = clamp(roundTo(0.5 + bedrooms * 0.55 + 0.45 * rng.gaussian(), 0.5), 0.5, 6);
  const year = simulateYear(rng, c);
  const age = CURRENT_YEAR - year;
  // Downtown condos often own no land at all.
  const condo = c === 0 && rng.next() < 0.6;
  const lot = condo ? 0 : clamp(roundTo((LOT_MEDIAN[c] ?? 5000) * Math.exp(0.55 * rng.gaussian()), 10), 0, 100000);
  const condition = clamp(Math.round(3.6 - age / 60 + 0.9 * rng.gaussian()), 1, 5);
  const garage = rng.categorical(GARAGE_SHARE[c] ?? [1]);
  const u = rng.next();
  const distance = [0.2 + 3.3 * u, 6 + 18 * u, 2 + 14 * u, 20 + 60 * u * u, 3 + 10 * u][c] ?? 10;
  const pool = rng.next() < (POOL_SHARE[c] ?? 0) ? 1 : 0;
  const energy = clamp(Math.round(2 + 4 * (1 - age / 126) + 0.25 * (condition - 3) + 0.8 * rng.gaussian()), 1, 7);
  return {
    sqft,
    bedrooms,
    bathrooms,
    year_built: year,
    lot_size: lot,
    location_cluster: c,
    condition,
    garage_spaces: garage,
    distance_to_center_km: oneDecimal(distance),
    has_pool: pool,
    energy_rating: energy,
    price: 0,
  };
}

/** The "true" price of a property in a market, before noise: hedonic, multiplicative, nonlinear. */
export function fairValue(p: Property, m: Market): number {
  const c = p.location_cluster;
  const age = CURRENT_YEAR - p.year_built;
  // Large homes sell for less per sqft (diminishing returns on size).
  const effectiveSqft = p.sqft * Math.pow(p.sqft / 1800, -0.1);
  const ageFactor = 1 - m.ageRate * Math.min(age, m.ageCapYears) + (age >= 100 ? m.historicPremium : 0);
  const conditionFactor = CONDITION_MULTIPLIER[p.condition - 1] ?? 1;
  // Bathrooms are valued relative to bedroom count (a 5-bed with one bath is a discount).
  const roomsFactor = 1 + 0.03 * (p.bathrooms - 0.55 * p.bedrooms - 0.5);
  const distanceFactor = Math.exp(-(m.distanceDecay[c] ?? 0) * p.distance_to_center_km);
  const energyFactor = 1 + m.energyStep * (p.energy_rating - 4);
  const structure =
    (m.pricePerSqft[c] ?? 0) * effectiveSqft * ageFactor * conditionFactor * roomsFactor * distanceFactor * energyFactor;
  const land = (m.landPerSqft[c] ?? 0) * 5000 * Math.log1p(p.lot_size / 5000);
  const extras = p.garage_spaces * (m.garageValue[c] ?? 0) + p.has_pool * (m.poolValue[c] ?? 0);
  return structure + land + extras;
}

/**
 * `count` sales in `market`. The market seed drives both the houses and the noise, so two
 * data versions are different samples (different sales), as they would be in reality.
 */
export function generateSales(market: Market, count: number): Property[] {
  const rng = new Rng(market.seed);
  const sales: Property[] = [];
  for (let i = 0; i < count; i++) {
    const p = simulateAttributes(rng);
    p.price = roundTo(fairValue(p, market) * Math.exp(market.noise * rng.gaussian()), 100);
    sales.push(p);
  }
  return sales;
}
