/**
 * The 2-D map of test codes coloured by class (issue #4 item "a 2-D map"; paper Fig. 3 bottom):
 * project with t-SNE (as the paper) or PCA (fast), then render an SVG scatter with a legend.
 */
import { pca } from './pca.ts';
import { scatterSvg, type ScatterOptions } from './scatter-svg.ts';
import { tsne, type TsneOptions } from './tsne.ts';

/** Options of {@link map2dSvg}. */
export interface Map2dOptions {
  /** ['tsne'] Projection. */
  method: 'tsne' | 'pca';
  /** t-SNE options (seed, perplexity 30, maxPoints 2000, ...). */
  tsne: Partial<TsneOptions>;
  /** SVG options (title, classNames, size). */
  svg: Partial<ScatterOptions>;
}

/** Result of {@link map2dSvg}: the SVG document and the projected points. */
export interface Map2dResult {
  svg: string;
  /** `[n, 2]` row-major coordinates of the plotted rows. */
  coords: Float64Array;
  /** Original row index of each plotted point (t-SNE may subsample). */
  indices: Int32Array;
}

/**
 * Projects `X` (`[N, K]` row-major, e.g. test posterior means) to 2-D and renders it coloured by
 * `labels` (`[N]` class ids). Draw order is interleaved by a stride so that no class (the paper's
 * test files are sorted by class) systematically covers the others.
 */
export function map2dSvg(X: ArrayLike<number>, N: number, K: number, labels: ArrayLike<number>, options: Partial<Map2dOptions> = {}): Map2dResult {
  if (labels.length !== N) throw new RangeError(`map2dSvg labels: ${labels.length} labels for N=${N} rows`);
  const method = options.method ?? 'tsne';
  let coords: Float64Array;
  let indices: Int32Array;
  if (method === 'pca') {
    coords = pca(X, N, K, 2).coords;
    indices = Int32Array.from({ length: N }, (_, i) => i);
  } else if (method === 'tsne') {
    ({ coords, indices } = tsne(X, N, K, options.tsne ?? {}));
  } else {
    throw new RangeError(`map2dSvg method: expected 'tsne' or 'pca', got ${String(method)}`);
  }
  const n = indices.length;
  // Interleaved draw order: 0, s, 2s, ..., 1, 1+s, ... with a stride s coprime-ish to class blocks.
  const stride = 7;
  const order: number[] = [];
  for (let start = 0; start < stride; start++) for (let i = start; i < n; i += stride) order.push(i);
  const drawCoords = new Float64Array(2 * n);
  const drawLabels = new Int32Array(n);
  order.forEach((src, dst) => {
    drawCoords[2 * dst] = coords[2 * src] as number;
    drawCoords[2 * dst + 1] = coords[2 * src + 1] as number;
    drawLabels[dst] = labels[indices[src] as number] as number;
  });
  return { svg: scatterSvg(drawCoords, n, drawLabels, options.svg ?? {}), coords, indices };
}
