/**
 * Build a demo `map.json` (format in web-demo/src/formats.ts) from posterior means: PCA to 2-D with
 * eval/pca.ts, per-dimension variances with eval/active-units.ts, and the projection (column means and
 * the two principal directions) so the demo can place a new sentence on the map. Stores no text.
 */
import { activeUnits } from '../../eval/active-units.ts';
import { pca } from '../../eval/pca.ts';

export interface MapJson {
  coords: [number, number][];
  labels: number[];
  classes: string[];
  variances: number[];
  projection: { mean: number[]; components: [number[], number[]] };
}

const round = (v: number): number => Math.round(v * 1e5) / 1e5;

/**
 * `means`: `[n, k]` row-major posterior means of test sentences; `labels`: `[n]` class ids; `classes`: names.
 * Coordinates are rounded to 1e-5 (the file stays small); the projection keeps full float64 precision.
 */
export function buildMapJson(means: ArrayLike<number>, n: number, k: number, labels: ArrayLike<number>, classes: readonly string[]): MapJson {
  if (labels.length !== n) throw new RangeError(`buildMapJson: ${labels.length} labels for ${n} rows.`);
  const p = pca(means, n, k, 2);
  const mean = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) for (let d = 0; d < k; d++) mean[d]! += means[i * k + d]! / n;
  const coords: [number, number][] = [];
  for (let i = 0; i < n; i++) coords.push([round(p.coords[2 * i]!), round(p.coords[2 * i + 1]!)]);
  const dir = (c: number): number[] => Array.from(p.directions.subarray(c * k, (c + 1) * k));
  return {
    coords,
    labels: Array.from(labels),
    classes: [...classes],
    variances: Array.from(activeUnits(means, n, k).variances),
    projection: { mean, components: [dir(0), dir(1)] },
  };
}
