/**
 * The two files the demo reads besides exported model directories (written by
 * web-demo/scripts/make-index.ts and web-demo/scripts/make-map.ts), with validating parsers.
 *
 * `models/index.json`: which model directories (under `models/`) the demo offers.
 * ```jsonc
 * { "format": "isovae-models-index", "formatVersion": 1,
 *   "models": [ { "dir": "igp", "title": "IGP (C = 15)", "dtypes": ["int8", "fp16"] }, { "dir": "dgp", "title": "DGP (C = 15)" } ] }
 * ```
 * `dtypes` (optional) lists the quantized variants of a model, each a complete model directory
 * `<dir>/<dtype>/` (written by `isovae quantize`); `<dir>/` itself is the fp32 model.
 * `models/<dir>/map.json` (optional): the 2-D map of test-set posterior means, no text.
 * ```jsonc
 * { "coords": [[x, y], ...],            // N points
 *   "labels": [0, 3, ...],              // N class ids
 *   "classes": ["Company", ...],        // class names
 *   "variances": [K],                   // per-dim variance of the test means (active unit: > 0.01)
 *   "projection": { "mean": [K], "components": [[K], [K]] } }   // optional: PCA, so new points can be placed
 * ```
 */

// The index format is shared with `isovae evaluate --models-index` (core/models-index.ts).
export { parseIndex, type IndexEntry, type ModelsIndex } from '../../core/models-index.ts';

export interface MapProjection {
  /** `[K]` column means subtracted before projecting. */
  mean: number[];
  /** `[2][K]` principal directions. */
  components: [number[], number[]];
}

export interface MapData {
  coords: [number, number][];
  labels: number[];
  classes: string[];
  /** `[K]` or null when absent. */
  variances: number[] | null;
  projection: MapProjection | null;
}

/** Threshold on the per-dimension variance of test means for an active unit (paper, Burda et al.). */
export const ACTIVE_THRESHOLD = 0.01;

const isNumArray = (x: unknown, n?: number): x is number[] =>
  Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isFinite(v)) && (n === undefined || x.length === n);

/** Parse a `map.json` for a model with latent size `k`; throws Error naming `file` and the bad field. */
export function parseMap(text: string, file: string, k: number): MapData {
  const raw = JSON.parse(text) as Record<string, unknown>;
  const coords = raw.coords;
  if (!Array.isArray(coords) || !coords.every((c) => isNumArray(c, 2))) throw new Error(`${file}: "coords" must be an array of [x, y].`);
  const labels = raw.labels;
  if (!isNumArray(labels, coords.length)) throw new Error(`${file}: "labels" must be ${coords.length} class ids.`);
  const classes = Array.isArray(raw.classes) ? raw.classes.map(String) : [];
  const variances = raw.variances === undefined || raw.variances === null ? null : raw.variances;
  if (variances !== null && !isNumArray(variances, k)) throw new Error(`${file}: "variances" must be ${k} numbers (one per latent dimension).`);
  let projection: MapProjection | null = null;
  const p = raw.projection as { mean?: unknown; components?: unknown } | undefined | null;
  if (p) {
    const comps = p.components;
    if (!isNumArray(p.mean, k) || !Array.isArray(comps) || comps.length !== 2 || !comps.every((c) => isNumArray(c, k))) {
      throw new Error(`${file}: "projection" must be { mean: [${k}], components: [[${k}], [${k}]] }.`);
    }
    projection = { mean: p.mean, components: [comps[0] as number[], comps[1] as number[]] };
  }
  return { coords: coords as [number, number][], labels, classes, variances, projection };
}

/** Project a `[K]` mean onto the map's two components, or null without a projection. */
export function project(map: MapData, z: ArrayLike<number>): [number, number] | null {
  const p = map.projection;
  if (!p) return null;
  let x = 0;
  let y = 0;
  for (let d = 0; d < p.mean.length; d++) {
    const c = z[d]! - p.mean[d]!;
    x += c * p.components[0][d]!;
    y += c * p.components[1][d]!;
  }
  return [x, y];
}
