import type { OutputConversion } from '../../contracts/manifest.js';

/**
 * v1 predictions of a classifier served in place of skl2onnx's ZipMap: per instance the
 * predicted `label` and `probabilities` keyed by class label, the map ZipMap would have made.
 * The label is the graph's own label output (skl2onnx's output_label); a graph without one gets
 * the most probable class. Any other output keeps its name.
 */
export function classifierPredictions(names: readonly string[], columns: readonly unknown[][], probabilities: string, conversion: OutputConversion): unknown[] {
  const probs = columns[names.indexOf(probabilities)] ?? [];
  const labelColumn = conversion.labelOutput ? columns[names.indexOf(conversion.labelOutput)] : undefined;
  const others = names.filter((n) => n !== probabilities && n !== conversion.labelOutput);
  const labels: readonly (number | string)[] = conversion.labels;
  return probs.map((row, i) => {
    const p = Array.isArray(row) ? row : [row];
    const probabilitiesByLabel = Object.fromEntries(labels.map((l, j) => [String(l), p[j]]));
    const label = labelColumn ? labelColumn[i] : labels[mostProbable(p)];
    return { label, probabilities: probabilitiesByLabel, ...Object.fromEntries(others.map((n) => [n, columns[names.indexOf(n)]?.[i]])) };
  });
}

function mostProbable(p: readonly unknown[]): number {
  let best = 0;
  for (let j = 1; j < p.length; j++) if (Number(p[j]) > Number(p[best])) best = j;
  return best;
}
