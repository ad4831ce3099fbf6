/**
 * Small dense float64 linear algebra for the metrics: the symmetric eigendecomposition by cyclic
 * Jacobi rotations (isotropy score, PCA) and the Cholesky log-determinant (aggregated posterior).
 * Matrices are Float64Array in row-major order with an explicit size n (K x K, K = 32 in the paper).
 */

/** Eigen-decomposition of a symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues in descending order, `[n]`. */
  values: Float64Array;
  /** Unit eigenvectors, `[n, n]` row-major: ROW j is the eigenvector of `values[j]`. */
  vectors: Float64Array;
  /** Number of Jacobi sweeps used. */
  sweeps: number;
}

/**
 * Eigenvalues and unit eigenvectors of the symmetric `[n, n]` matrix `a` (row-major, float64) by
 * the cyclic Jacobi method (Golub & Van Loan, Matrix Computations, Alg. 8.5.3). Accurate to a few
 * ulps of the matrix norm; O(n^3) per sweep, typically < 10 sweeps. The input is not modified.
 * Only the upper triangle's symmetry is assumed (a RangeError is raised for a clearly
 * non-symmetric input).
 */
export function jacobiEigen(a: ArrayLike<number>, n: number, maxSweeps = 100): SymmetricEigen {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`jacobiEigen n: expected an integer >= 1, got ${n}`);
  if (a.length !== n * n) throw new RangeError(`jacobiEigen: matrix length ${a.length} is not n*n = ${n * n}`);
  const m = Float64Array.from(a as ArrayLike<number>);
  let norm = 0;
  for (let i = 0; i < n * n; i++) {
    const v = m[i] as number;
    if (!Number.isFinite(v)) throw new RangeError(`jacobiEigen: entry ${i} is ${v}; expected finite numbers`);
    norm += v * v;
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.abs((m[i * n + j] as number) - (m[j * n + i] as number));
      if (d > 1e-9 * Math.sqrt(norm) + 1e-300) throw new RangeError(`jacobiEigen: matrix is not symmetric at (${i}, ${j})`);
    }
  }
  const v = new Float64Array(n * n); // accumulated rotations; COLUMN j = eigenvector j
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let sweeps = 0;
  const tol = Number.EPSILON * Number.EPSILON * norm;
  for (; sweeps < maxSweeps; sweeps++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += (m[i * n + j] as number) ** 2;
    if (off <= tol || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q] as number;
        if (apq === 0) continue;
        // Rotation J(p, q) with J_pp = J_qq = c, J_pq = s, J_qp = -s zeroes entry (p, q) of J^T M J.
        const theta = ((m[q * n + q] as number) - (m[p * n + p] as number)) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // M <- M J (columns p and q)
          const mkp = m[k * n + p] as number;
          const mkq = m[k * n + q] as number;
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          // M <- J^T M (rows p and q)
          const mpk = m[p * n + k] as number;
          const mqk = m[q * n + k] as number;
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        m[p * n + q] = 0;
        m[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p] as number;
          const vkq = v[k * n + q] as number;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => (m[y * n + y] as number) - (m[x * n + x] as number));
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src] as number;
    for (let k = 0; k < n; k++) vectors[dst * n + k] = v[k * n + src] as number;
  });
  return { values, vectors, sweeps };
}

/**
 * Cholesky factor L (lower triangular, `[n, n]` row-major) of a symmetric positive-definite
 * matrix, float64. Returns null when a pivot is <= 0 (the matrix is singular or not positive
 * definite in floating point).
 */
export function cholesky(a: ArrayLike<number>, n: number): Float64Array | null {
  if (a.length !== n * n) throw new RangeError(`cholesky: matrix length ${a.length} is not n*n = ${n * n}`);
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] as number;
    for (let k = 0; k < j; k++) d -= (l[j * n + k] as number) ** 2;
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * n + k] as number) * (l[j * n + k] as number);
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/**
 * Natural log of the determinant of a symmetric positive-definite `[n, n]` matrix via Cholesky:
 * ln det A = 2 * sum_i ln L_ii. Returns -Infinity when the matrix is singular (a Cholesky pivot
 * <= 0), matching `np.log(np.linalg.det(A))` for det = 0.
 */
export function logDetSpd(a: ArrayLike<number>, n: number): number {
  const l = cholesky(a, n);
  if (l === null) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i] as number);
  return 2 * s;
}
