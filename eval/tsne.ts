/**
 * Exact t-SNE (van der Maaten & Hinton 2008) for the 2-D map of test means (paper Fig. 3 bottom;
 * protocol §4.13 used sklearn `TSNE(random_state=seed)`). Follows sklearn's exact method and
 * current defaults: perplexity 30 (binary search on squared Euclidean distances to entropy
 * ln(perplexity), tol 1e-5, 100 steps), symmetrised P = (P_j|i + P_i|j) / 2N floored at 1e-12,
 * Student-t (1 dof) similarities, early exaggeration 12 for 250 iterations with momentum 0.5 then
 * 0.8, learning rate 'auto' = max(N / 12 / 4, 50), adaptive gains (+0.2 / x0.8, min 0.01),
 * 1000 iterations, PCA initialisation scaled to std 1e-4. O(N^2) time and memory per iteration:
 * inputs with more than `maxPoints` rows (default 2000) are subsampled with the seeded RNG.
 */
import { checkMatrix } from './matrix.ts';
import { pca } from './pca.ts';
import { normal, sampleWithoutReplacement, seededUniform } from './random.ts';

/** Options of {@link tsne}; defaults in brackets. */
export interface TsneOptions {
  /** [30] Effective number of neighbours. */
  perplexity: number;
  /** [1000] Total gradient iterations. */
  iterations: number;
  /** [250] Iterations with early exaggeration (and momentum 0.5). */
  exaggerationIterations: number;
  /** [12] Early exaggeration factor. */
  exaggeration: number;
  /** ['auto'] Learning rate; 'auto' = max(N / exaggeration / 4, 50) as sklearn. */
  learningRate: number | 'auto';
  /** ['pca'] Initial layout: PCA scaled to std 1e-4 (sklearn >= 1.2), or seeded N(0, 1e-4^2). */
  init: 'pca' | 'random';
  /** [0] Seed of the subsample and of the random init. */
  seed: number;
  /** [2000] Rows above this are subsampled uniformly without replacement. */
  maxPoints: number;
}

export const DEFAULT_TSNE_OPTIONS: Readonly<TsneOptions> = Object.freeze({
  perplexity: 30,
  iterations: 1000,
  exaggerationIterations: 250,
  exaggeration: 12,
  learningRate: 'auto',
  init: 'pca',
  seed: 0,
  maxPoints: 2000,
});

/** Result of {@link tsne}. */
export interface TsneResult {
  /** Embedding `[n, 2]` row-major for the rows in `indices`. */
  coords: Float64Array;
  /** Original row index of every embedded point (ascending; all rows unless subsampled). */
  indices: Int32Array;
  /** KL(P || Q) at the end (no exaggeration), nats. */
  kl: number;
}

/** Row-wise conditional P_j|i with per-row precision found by binary search; returns `[n, n]`. */
function conditionalP(d2: Float64Array, n: number, perplexity: number): Float64Array {
  const P = new Float64Array(n * n);
  const target = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    let beta = 1;
    let lo = -Infinity;
    let hi = Infinity;
    for (let step = 0; step < 100; step++) {
      let sum = 0;
      for (let j = 0; j < n; j++) {
        const p = j === i ? 0 : Math.exp(-(d2[i * n + j] as number) * beta);
        P[i * n + j] = p;
        sum += p;
      }
      if (sum === 0) sum = 1e-8; // sklearn's EPSILON_DBL guard
      let sumDP = 0;
      for (let j = 0; j < n; j++) {
        const p = (P[i * n + j] as number) / sum;
        P[i * n + j] = p;
        sumDP += (d2[i * n + j] as number) * p;
      }
      const entropy = Math.log(sum) + beta * sumDP; // H = ln(sum) + beta * E[d^2]
      const diff = entropy - target;
      if (Math.abs(diff) <= 1e-5) break;
      if (diff > 0) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = lo === -Infinity ? beta / 2 : (beta + lo) / 2;
      }
    }
  }
  return P;
}

/**
 * 2-D t-SNE of the rows of `X` (`[N, K]` row-major), deterministic for a seed. See the module
 * comment for the algorithm and defaults. Like sklearn it requires perplexity < n (the number of
 * embedded rows). Unlike sklearn it has no early stop on a small gradient norm: it always runs
 * `iterations` steps. Cost ~ iterations x n^2 x 20 flops (n = 2000: about a minute).
 */
export function tsne(X: ArrayLike<number>, N: number, K: number, options: Partial<TsneOptions> = {}): TsneResult {
  checkMatrix('tsne X', X, N, K);
  const o: TsneOptions = { ...DEFAULT_TSNE_OPTIONS, ...options };
  const u = seededUniform(o.seed);
  const indices = Int32Array.from(
    N > o.maxPoints ? sampleWithoutReplacement(N, o.maxPoints, u).sort((a, b) => a - b) : Array.from({ length: N }, (_, i) => i),
  );
  const n = indices.length;
  if (!(o.perplexity > 0 && o.perplexity < n)) {
    throw new RangeError(`tsne perplexity ${o.perplexity} must be in (0, n=${n}); lower --perplexity or pass more rows`);
  }
  const x = new Float64Array(n * K); // [n, K] the (sub)sampled rows
  indices.forEach((r, i) => {
    for (let k = 0; k < K; k++) x[i * K + k] = X[r * K + k] as number;
  });
  const d2 = new Float64Array(n * n); // squared Euclidean distances [n, n]
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += ((x[i * K + k] as number) - (x[j * K + k] as number)) ** 2;
      d2[i * n + j] = s;
      d2[j * n + i] = s;
    }
  }
  const Pc = conditionalP(d2, n, o.perplexity);
  const P = new Float64Array(n * n); // symmetric joint P [n, n]
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) P[i * n + j] = Math.max(((Pc[i * n + j] as number) + (Pc[j * n + i] as number)) / (2 * n), 1e-12);
    P[i * n + i] = 0;
  }
  // Initial layout [n, 2].
  let y: Float64Array;
  if (o.init === 'pca' && K >= 2) {
    y = pca(x, n, K, 2).coords;
    let m = 0;
    for (let i = 0; i < n; i++) m += y[2 * i] as number;
    m /= n;
    let sd = 0;
    for (let i = 0; i < n; i++) sd += ((y[2 * i] as number) - m) ** 2;
    sd = Math.sqrt(sd / n) || 1;
    y = y.map((v) => (v / sd) * 1e-4);
  } else {
    y = new Float64Array(2 * n).map(() => 1e-4 * normal(u));
  }
  const lr = o.learningRate === 'auto' ? Math.max(n / o.exaggeration / 4, 50) : o.learningRate;
  const update = new Float64Array(2 * n);
  const gains = new Float64Array(2 * n).fill(1);
  const grad = new Float64Array(2 * n);
  const qNum = new Float64Array(n * n); // 1 / (1 + |y_i - y_j|^2)
  for (let it = 0; it < o.iterations; it++) {
    const early = it < o.exaggerationIterations;
    const exag = early ? o.exaggeration : 1;
    const momentum = early ? 0.5 : 0.8;
    let qSum = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const dx = (y[2 * i] as number) - (y[2 * j] as number);
        const dy = (y[2 * i + 1] as number) - (y[2 * j + 1] as number);
        const q = 1 / (1 + dx * dx + dy * dy);
        qNum[i * n + j] = q;
        qNum[j * n + i] = q;
        qSum += 2 * q;
      }
    }
    grad.fill(0);
    for (let i = 0; i < n; i++) {
      let gx = 0;
      let gy = 0;
      for (let j = 0; j < n; j++) {
        if (j === i) continue;
        const q = qNum[i * n + j] as number;
        const mult = (exag * (P[i * n + j] as number) - q / qSum) * q;
        gx += mult * ((y[2 * i] as number) - (y[2 * j] as number));
        gy += mult * ((y[2 * i + 1] as number) - (y[2 * j + 1] as number));
      }
      grad[2 * i] = 4 * gx;
      grad[2 * i + 1] = 4 * gy;
    }
    for (let t = 0; t < 2 * n; t++) {
      const g = grad[t] as number;
      const up = update[t] as number;
      const gain = Math.max(up * g < 0 ? (gains[t] as number) + 0.2 : (gains[t] as number) * 0.8, 0.01);
      gains[t] = gain;
      const nu = momentum * up - lr * gain * g;
      update[t] = nu;
      y[t] = (y[t] as number) + nu;
    }
  }
  // Final KL(P || Q) with the last layout.
  let qSum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = (y[2 * i] as number) - (y[2 * j] as number);
      const dy = (y[2 * i + 1] as number) - (y[2 * j + 1] as number);
      qSum += 1 / (1 + dx * dx + dy * dy);
    }
  }
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const dx = (y[2 * i] as number) - (y[2 * j] as number);
      const dy = (y[2 * i + 1] as number) - (y[2 * j + 1] as number);
      const q = Math.max(1 / (1 + dx * dx + dy * dy) / qSum, 1e-12);
      const p = P[i * n + j] as number;
      kl += p * Math.log(p / q);
    }
  }
  return { coords: y, indices, kl };
}
