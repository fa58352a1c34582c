import { encodeTensorData, oipToOrt, type TensorMap } from '../runtime/tensor.js';
import type { Manifest } from './manifest.js';

/**
 * A one-row input that every version accepts: the midpoint of each feature's allowed range for
 * the feature tensor, zeros (or empty strings) elsewhere. Used to warm up and time a session.
 */
export function warmupFeeds(manifest: Manifest): TensorMap {
  const featureTensor = manifest.featureTensor ?? manifest.inputs[0]?.name;
  const feeds: TensorMap = {};
  for (const input of manifest.inputs) {
    const dims = input.shape.map((d) => (d < 0 ? 1 : d));
    const n = dims.reduce((a, b) => a * b, 1);
    const type = oipToOrt(input.datatype);
    let values: unknown[];
    if (input.name === featureTensor && manifest.features.length > 0) {
      values = manifest.features.map((f) => (f.dtype === 'float' ? (f.min + f.max) / 2 : Math.round((f.min + f.max) / 2)));
    } else {
      values = new Array<unknown>(n).fill(type === 'string' ? '' : type === 'bool' ? false : 0);
    }
    feeds[input.name] = { type, dims, data: encodeTensorData(type, values) };
  }
  return feeds;
}
