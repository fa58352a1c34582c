import type { OutputConversion as GraphConversion } from '../runtime/servable-graph.js';
import { LoadFailure } from './load-failure.js';
import type { Manifest, OutputConversion, TensorSpec } from '../contracts/manifest.js';

const record = (c: GraphConversion): OutputConversion => ({ from: c.from, labels: c.labels, ...(c.labelOutput ? { labelOutput: c.labelOutput } : {}) });

/** Outputs with the graph's conversions recorded on the outputs they concern (import). */
export function withConversions(outputs: TensorSpec[], conversions: readonly GraphConversion[]): TensorSpec[] {
  return outputs.map((o) => {
    const c = conversions.find((x) => x.output === o.name);
    return c ? { ...o, converted: record(c) } : o;
  });
}

/**
 * The manifest a version serves with (load): the graph decides what is converted. A manifest
 * without the record (hand-written, config.pbtxt) gets it from the graph; one that records
 * something else (other labels, a ZipMap the graph does not have) is refused.
 */
export function servedManifest(manifest: Manifest, conversions: readonly GraphConversion[]): Manifest {
  const problems: string[] = [];
  for (const o of manifest.outputs) {
    const c = conversions.find((x) => x.output === o.name);
    if (o.converted && !c) problems.push(`output '${o.name}': the manifest says it is converted from ${o.converted.from}, the graph has no ${o.converted.from} there`);
    if (o.converted && c && JSON.stringify(o.converted.labels) !== JSON.stringify(c.labels)) {
      problems.push(`output '${o.name}': labels ${JSON.stringify(o.converted.labels)} in the manifest, ${JSON.stringify(c.labels)} in the graph's ${c.from}`);
    }
  }
  if (problems.length > 0) throw new LoadFailure('signature_mismatch', `the manifest does not match the graph: ${problems.join('; ')}`);
  if (conversions.length === 0) return manifest;
  return { ...manifest, outputs: withConversions(manifest.outputs, conversions) };
}
