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

export interface IndexEntry {
  /** Directory name under `models/` (no slashes). */
  dir: string;
  /** Label shown in the model picker; default: the directory name. */
  title: string;
  /** Quantized variants available as `<dir>/<dtype>/` (fp32 is `<dir>/` and always present). */
  dtypes: Array<'int8' | 'fp16'>;
}

export interface ModelsIndex {
  models: IndexEntry[];
}

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

/** Parse `models/index.json`; throws Error naming `file` and the bad field. */
export function parseIndex(text: string, file: string): ModelsIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message}); write it with web-demo/scripts/make-index.ts.`);
  }
  const models = (raw as { models?: unknown })?.models;
  if (!Array.isArray(models) || models.length === 0) throw new Error(`${file}: "models" must be a non-empty array of { dir, title }.`);
  return {
    models: models.map((m: unknown, i) => {
      const { dir, title, dtypes } = (m ?? {}) as { dir?: unknown; title?: unknown; dtypes?: unknown };
      if (typeof dir !== 'string' || !/^[\w.-]+$/.test(dir) || dir.startsWith('.')) {
        throw new Error(`${file}: models[${i}].dir must be a directory name under models/ (letters, digits, _ . -).`);
      }
      if (dtypes !== undefined && (!Array.isArray(dtypes) || !dtypes.every((d) => d === 'int8' || d === 'fp16'))) {
        throw new Error(`${file}: models[${i}].dtypes must be an array of "int8" / "fp16" (quantized variants in ${dir}/<dtype>/).`);
      }
      return { dir, title: typeof title === 'string' && title ? title : dir, dtypes: [...((dtypes as Array<'int8' | 'fp16'> | undefined) ?? [])] };
    }),
  };
}

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
