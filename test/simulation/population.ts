import { generateSales, MARKET_2026_06, type Property } from '../../tools/training/dataset.js';
import { Rng } from '../../tools/training/rng.js';

/** The request a user sends: the 1.x feature set of one property. */
export type Instance = Record<string, number>;

const FEATURES = ['sqft', 'bedrooms', 'bathrooms', 'year_built', 'lot_size', 'location_cluster', 'condition', 'garage_spaces'] as const;

/**
 * A seeded population of users asking for valuations of properties of today's market, with the
 * ground-truth oracle: the price each property sold for (the dataset's fair value and noise).
 */
export class Population {
  private readonly sales: Property[];
  private readonly rng: Rng;

  constructor(readonly users: number, seed: number, properties = 3000) {
    this.sales = generateSales({ ...MARKET_2026_06, seed }, properties);
    this.rng = new Rng(seed ^ 0x5eed);
  }

  /** The next request: a random user asking about a random property, and its true price. */
  next(): { user: string; instance: Instance; truth: number } {
    const user = `sim-user-${Math.floor(this.rng.next() * this.users)}`;
    const p = this.sales[Math.floor(this.rng.next() * this.sales.length)] as Property;
    const instance: Instance = {};
    for (const f of FEATURES) instance[f] = p[f];
    return { user, instance, truth: p.price };
  }
}
