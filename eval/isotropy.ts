/**
 * Isotropy score of a set of vectors (Mu & Viswanath 2018; paper §3.4, Table 3; protocol §4.7):
 *   IS(V) = min_{m in M} Z(m) / max_{m in M} Z(m),  Z(m) = sum_{v in V} exp(m^T v),
 * where M holds the unit eigenvectors of V^T V. V is NOT centred. Computed in float64: the
 * eigenvectors of the K x K matrix V^T V by Jacobi rotations, log Z(m) by log-sum-exp, and
 * IS = exp(min log Z - max log Z), so large code norms cannot overflow exp.
 */
import { checkMatrix } from './matrix.ts';
import { jacobiEigen } from './linalg.ts';

/**
 * Which eigenvector signs to use. `both` (default, recommended by the protocol): M = {+m_k, -m_k},
 * 2K directions, invariant to the solver's arbitrary sign. `canonical`: the literal K eigenvectors,
 * each flipped so that its largest-|component| entry is positive (reported as a check).
 */
export type IsotropySigns = 'both' | 'canonical';

/** Result of {@link isotropyScore}. */
export interface IsotropyResult {
  /** IS(V) in (0, 1]; 1 means perfectly isotropic under this definition. */
  score: number;
  /** log Z(m) for every direction used: `[K]` (canonical) or `[2K]` (+m_k at 2k, -m_k at 2k+1). */
  logZ: Float64Array;
  /** Eigenvalues of V^T V, descending, `[K]`. */
  eigenvalues: Float64Array;
  signs: IsotropySigns;
}

/** log sum_i exp(m^T v_i) over the rows of V `[N, K]`, for a direction `m` `[K]` (sign +1 or -1). */
function logPartition(V: ArrayLike<number>, N: number, K: number, m: Float64Array, sign: number): number {
  const dots = new Float64Array(N); // [N] projections m^T v_i
  let max = -Infinity;
  for (let i = 0; i < N; i++) {
    let d = 0;
    for (let k = 0; k < K; k++) d += (m[k] as number) * (V[i * K + k] as number);
    d *= sign;
    dots[i] = d;
    if (d > max) max = d;
  }
  let s = 0;
  for (let i = 0; i < N; i++) s += Math.exp((dots[i] as number) - max);
  return max + Math.log(s);
}

/**
 * Isotropy score IS(V) of the rows of `V` (`[N, K]` row-major: N codes of K dims, e.g. test
 * posterior means or one sample per test sentence). `signs` defaults to `both` (protocol §4.7).
 */
export function isotropyScore(
  V: ArrayLike<number>,
  N: number,
  K: number,
  opts: { signs?: IsotropySigns } = {},
): IsotropyResult {
  checkMatrix('isotropyScore V', V, N, K);
  const signs = opts.signs ?? 'both';
  if (signs !== 'both' && signs !== 'canonical') {
    throw new RangeError(`isotropyScore signs: expected 'both' or 'canonical', got ${String(signs)}`);
  }
  // G = V^T V, [K, K], not centred.
  const G = new Float64Array(K * K);
  for (let i = 0; i < N; i++) {
    const base = i * K;
    for (let a = 0; a < K; a++) {
      const va = V[base + a] as number;
      for (let b = a; b < K; b++) G[a * K + b] = (G[a * K + b] as number) + va * (V[base + b] as number);
    }
  }
  for (let a = 0; a < K; a++) for (let b = 0; b < a; b++) G[a * K + b] = G[b * K + a] as number;
  const { values, vectors } = jacobiEigen(G, K);
  const logZ = new Float64Array(signs === 'both' ? 2 * K : K);
  for (let j = 0; j < K; j++) {
    const m = vectors.slice(j * K, (j + 1) * K); // [K], unit eigenvector j
    if (signs === 'both') {
      logZ[2 * j] = logPartition(V, N, K, m, 1);
      logZ[2 * j + 1] = logPartition(V, N, K, m, -1);
    } else {
      let arg = 0;
      for (let k = 1; k < K; k++) if (Math.abs(m[k] as number) > Math.abs(m[arg] as number)) arg = k;
      logZ[j] = logPartition(V, N, K, m, (m[arg] as number) < 0 ? -1 : 1);
    }
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (const z of logZ) {
    if (z < lo) lo = z;
    if (z > hi) hi = z;
  }
  return { score: Math.exp(lo - hi), logZ, eigenvalues: values, signs };
}
