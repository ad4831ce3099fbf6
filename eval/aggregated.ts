/**
 * Aggregated posterior statistics (protocol §4.6, paper Table 2): for sampled codes S (one
 * z ~ q(z|x) per test sentence, `[N, K]`), log det of the unbiased covariance of S and the squared
 * norm of the sample mean, averaged over 5 independent draws.
 */
import { checkMatrix, columnMeans, covariance } from './matrix.ts';
import { logDetSpd } from './linalg.ts';
import { asUniform, normal, type RandomSource } from './random.ts';

/**
 * ln det Cov(S) for `S` `[N, K]` row-major: covariance with the N-1 normaliser (like `np.cov`),
 * log-determinant by a float64 Cholesky. -Infinity if the covariance is singular (e.g. N <= K or a
 * constant dimension). Needs N >= 2.
 */
export function logDetCov(S: ArrayLike<number>, N: number, K: number): number {
  checkMatrix('logDetCov S', S, N, K);
  return logDetSpd(covariance(S, N, K), K);
}

/** ||mean over rows of S||^2 for `S` `[N, K]`, float64. */
export function squaredNormOfMean(S: ArrayLike<number>, N: number, K: number): number {
  checkMatrix('squaredNormOfMean S', S, N, K);
  const m = columnMeans(S, N, K);
  let s = 0;
  for (let k = 0; k < K; k++) s += (m[k] as number) ** 2;
  return s;
}

/** Result of {@link aggregatedPosterior}. */
export interface AggregatedPosterior {
  /** Mean over repeats of ln det Cov[q(z)]. */
  logDet: number;
  /** Mean over repeats of ||mean(S)||^2. */
  meanSqNorm: number;
  /** Per-repeat values, in draw order. */
  repeats: { logDet: number; meanSqNorm: number }[];
}

/**
 * Protocol §4.6: calls `sampleFn(r)` for r = 0..repeats-1 (default 5); each call must return a
 * fresh sample matrix S `[N, K]` (one reparameterised z per test sentence, e.g. from
 * {@link reparameterize}); reports the mean over repeats of ln det Cov(S) and ||mean(S)||^2.
 * Table 2 prints them as [||mu||^2, log det].
 */
export function aggregatedPosterior(
  sampleFn: (repeat: number) => ArrayLike<number>,
  N: number,
  K: number,
  repeats = 5,
): AggregatedPosterior {
  if (typeof sampleFn !== 'function') throw new TypeError('aggregatedPosterior sampleFn: expected a function returning an [N, K] sample');
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`aggregatedPosterior repeats: expected an integer >= 1, got ${repeats}`);
  const out: { logDet: number; meanSqNorm: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    const S = sampleFn(r);
    out.push({ logDet: logDetCov(S, N, K), meanSqNorm: squaredNormOfMean(S, N, K) });
  }
  return {
    logDet: out.reduce((a, b) => a + b.logDet, 0) / repeats,
    meanSqNorm: out.reduce((a, b) => a + b.meanSqNorm, 0) / repeats,
    repeats: out,
  };
}

/**
 * Reparameterised sample z = mean + exp(0.5 * logvar) * eps, eps ~ N(0, I) drawn independently
 * per example and dimension (also for IGP), in float64. `means` is `[N, K]`; `logvars` is either
 * `[N, K]` or `[N]` / `[N, 1]` (one shared IGP log-variance per row). For the AE (no logvar) the
 * sample is the code itself: pass `logvars = null`. `rng`: core/rng.ts `Rng` or `() => number`.
 * Box-Muller normals (two uniforms per value). Returns `[N, K]`.
 */
export function reparameterize(
  means: ArrayLike<number>,
  logvars: ArrayLike<number> | null,
  N: number,
  K: number,
  rng: RandomSource,
): Float64Array {
  checkMatrix('reparameterize means', means, N, K);
  const u = asUniform(rng);
  const z = Float64Array.from(means);
  if (logvars === null) return z;
  const perRow = logvars.length === N && K !== 1;
  checkMatrix('reparameterize logvars', logvars, N, perRow ? 1 : K);
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < K; k++) {
      const lv = (perRow ? logvars[i] : logvars[i * K + k]) as number;
      z[i * K + k] = (z[i * K + k] as number) + Math.exp(0.5 * lv) * normal(u);
    }
  }
  return z;
}
