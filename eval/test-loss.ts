/**
 * Test-set Rec / KL / "ELBO" as the paper reports them (protocol §4.1, lstm_vae.py `test`):
 * per-sentence values averaged per batch (test order, batch size of the training config, last
 * batch partial), then the batch means averaged. Rec is one sampled-z estimate per sentence,
 * summed over tokens incl. `<eos>` (computed by the model); KL is analytic.
 */
import { checkMatrix } from './matrix.ts';
import { meanOfBatchMeans } from './stats.ts';

/**
 * Analytic KL(N(mu, diag(exp(l))) || N(0, I)) per row, in nats:
 * 0.5 * sum_d (mu_d^2 + exp(l_d) - 1 - l_d). `means` is `[N, K]`; `logvars` is `[N, K]` (DGP, or
 * IGP broadcast as the exported encoder emits it) or `[N]` (one IGP log-variance per row, which
 * gives 0.5 (||mu||^2 + K e^l - K - K l)). Returns `[N]` float64.
 */
export function gaussianKl(means: ArrayLike<number>, logvars: ArrayLike<number>, N: number, K: number): Float64Array {
  checkMatrix('gaussianKl means', means, N, K);
  const perRow = logvars.length === N && K !== 1;
  checkMatrix('gaussianKl logvars', logvars, N, perRow ? 1 : K);
  const kl = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let d = 0; d < K; d++) {
      const mu = means[i * K + d] as number;
      const l = (perRow ? logvars[i] : logvars[i * K + d]) as number;
      s += mu * mu + Math.exp(l) - 1 - l;
    }
    kl[i] = 0.5 * s;
  }
  return kl;
}

/** Test-set summary as in Table 4: nats per sentence. `kl` and `elbo` are null for the AE. */
export interface TestLossSummary {
  rec: number;
  kl: number | null;
  /** KL + Rec, the code's "elbo" (the NEGATIVE ELBO, a positive number). */
  elbo: number | null;
}

/**
 * Mean of per-batch means (batches of `batchSize` in test order) of per-sentence reconstruction
 * losses `rec` `[N]` and KL values `kl` `[N]` (null for the AE), and of their sum.
 */
export function testLossSummary(rec: ArrayLike<number>, kl: ArrayLike<number> | null, batchSize: number): TestLossSummary {
  if (kl !== null && kl.length !== rec.length) throw new RangeError(`testLossSummary: ${rec.length} rec values but ${kl.length} KL values`);
  const r = meanOfBatchMeans(rec, batchSize);
  if (kl === null) return { rec: r, kl: null, elbo: null };
  const sum = Float64Array.from(rec, (v, i) => v + (kl[i] as number));
  return { rec: r, kl: meanOfBatchMeans(kl, batchSize), elbo: meanOfBatchMeans(sum, batchSize) };
}
