/**
 * Active units (protocol §4.1, paper Table 4 "AU"): the number of latent dimensions whose
 * posterior mean varies across test sentences.
 */
import { jacobiEigen } from './linalg.ts';
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

/** Result of {@link activeDirections}. */
export interface ActiveDirections {
  /** Number of eigenvalues of Cov[mean] strictly greater than the threshold (0..K). */
  count: number;
  /** Eigenvalues of the N-1 covariance of the means, descending, `[K]`. */
  eigenvalues: number[];
  /**
   * Participation ratio (Σλ)² / Σλ²: K for an isotropic cloud, 1 when one direction carries all the
   * variance; 0 when every mean is the same vector.
   */
  effectiveRank: number;
  threshold: number;
}

/**
 * A rotation-invariant companion of {@link activeUnits} (a diagnostic beyond the paper): counts the
 * eigen-directions of the covariance of the posterior means `means` (`[N, K]` row-major) with
 * variance > threshold (default 0.01, the AU threshold), and their effective rank.
 *
 * Why: AU looks at the K coordinate axes only. The IGP's KL term is invariant to rotations of z,
 * so nothing aligns its code with the axes: a code that lives in a 4-dimensional subspace at an
 * angle to the axes has variance on every axis and counts AU = K. Active directions count that
 * code as 4. For a DGP whose active dimensions are axis-aligned the two counts agree.
 */
export function activeDirections(means: ArrayLike<number>, N: number, K: number, threshold = 0.01): ActiveDirections {
  checkMatrix('activeDirections means', means, N, K);
  if (!Number.isFinite(threshold)) throw new RangeError(`activeDirections threshold: expected a finite number, got ${threshold}`);
  if (N < 2) throw new RangeError(`activeDirections: needs at least 2 rows (sentences) for an N-1 covariance, got N=${N}`);
  const eig = jacobiEigen(covariance(means, N, K), K); // values descending, [K]
  // Round-off can leave tiny negative eigenvalues of a PSD matrix; they carry no variance.
  const eigenvalues = Array.from(eig.values, (v) => Math.max(0, v));
  const sum = eigenvalues.reduce((a, v) => a + v, 0);
  const sumSq = eigenvalues.reduce((a, v) => a + v * v, 0);
  return {
    count: eigenvalues.filter((v) => v > threshold).length,
    eigenvalues,
    effectiveRank: sumSq > 0 ? (sum * sum) / sumSq : 0,
    threshold,
  };
}
