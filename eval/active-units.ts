/**
 * Active units (protocol §4.1, paper Table 4 "AU"): the number of latent dimensions whose
 * posterior mean varies across test sentences.
 */
import { checkMatrix, covariance } from './matrix.ts';

/** Result of {@link activeUnits}. */
export interface ActiveUnits {
  /** Number of dimensions with variance strictly greater than the threshold (0..K). */
  count: number;
  /** Per-dimension variance of the means, the diagonal of the N-1 covariance, `[K]`. */
  variances: Float64Array;
  /** Per-dimension flag, `variances[k] > threshold`. */
  active: boolean[];
  threshold: number;
}

/**
 * Counts active units of the posterior means `means` (`[N, K]` row-major; z for the AE):
 * dimension k is active when Cov_kk > threshold (strict), where Cov is the unbiased (N-1)
 * covariance over sentences, as `np.cov(rowvar=False)` in the paper's code. Default threshold
 * 0.01. Needs N >= 2. Float64 throughout.
 */
export function activeUnits(means: ArrayLike<number>, N: number, K: number, threshold = 0.01): ActiveUnits {
  checkMatrix('activeUnits means', means, N, K);
  if (!Number.isFinite(threshold)) throw new RangeError(`activeUnits threshold: expected a finite number, got ${threshold}`);
  if (N < 2) throw new RangeError(`activeUnits: needs at least 2 rows (sentences) for an N-1 covariance, got N=${N}`);
  // Only the diagonal is needed, but sharing covariance() keeps one definition of the estimator.
  const cov = covariance(means, N, K); // [K, K]
  const variances = new Float64Array(K);
  const active: boolean[] = [];
  let count = 0;
  for (let k = 0; k < K; k++) {
    const v = cov[k * K + k] as number;
    variances[k] = v;
    const on = v > threshold;
    active.push(on);
    if (on) count++;
  }
  return { count, variances, active, threshold };
}
