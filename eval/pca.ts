/**
 * Principal component projection (float64), the fast alternative to t-SNE for the 2-D map of
 * test means (issue #4): centre the columns, eigendecompose the K x K covariance by Jacobi, project
 * on the leading components.
 */
import { checkMatrix, covariance, columnMeans } from './matrix.ts';
import { jacobiEigen } from './linalg.ts';

/** Result of {@link pca}. */
export interface PcaResult {
  /** Projected rows, `[N, components]` row-major. */
  coords: Float64Array;
  components: number;
  /** Principal directions, `[components, K]` row-major (unit vectors, sign: largest-|entry| positive). */
  directions: Float64Array;
  /** Variance along each direction (covariance eigenvalues, N-1 normaliser), descending. */
  variances: Float64Array;
  /** Sum of all K eigenvalues (total variance). */
  totalVariance: number;
}

/**
 * Projects the rows of `X` (`[N, K]` row-major) on their top `components` (default 2) principal
 * directions after centring. Signs are canonicalised (largest-|component| positive) so the map
 * is deterministic. Needs N >= 2 and components <= K.
 */
export function pca(X: ArrayLike<number>, N: number, K: number, components = 2): PcaResult {
  checkMatrix('pca X', X, N, K);
  if (!Number.isInteger(components) || components < 1 || components > K) {
    throw new RangeError(`pca components: expected an integer in [1, K=${K}], got ${components}`);
  }
  const cov = covariance(X, N, K); // [K, K]
  const { values, vectors } = jacobiEigen(cov, K);
  const mean = columnMeans(X, N, K);
  const directions = new Float64Array(components * K);
  for (let c = 0; c < components; c++) {
    let arg = 0;
    for (let k = 1; k < K; k++) if (Math.abs(vectors[c * K + k] as number) > Math.abs(vectors[c * K + arg] as number)) arg = k;
    const sign = (vectors[c * K + arg] as number) < 0 ? -1 : 1;
    for (let k = 0; k < K; k++) directions[c * K + k] = sign * (vectors[c * K + k] as number);
  }
  const coords = new Float64Array(N * components);
  for (let i = 0; i < N; i++) {
    for (let c = 0; c < components; c++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += ((X[i * K + k] as number) - (mean[k] as number)) * (directions[c * K + k] as number);
      coords[i * components + c] = s;
    }
  }
  return {
    coords,
    components,
    directions,
    variances: values.slice(0, components),
    totalVariance: values.reduce((a, b) => a + b, 0),
  };
}
