import type { ModelConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { encodeRows, type Encoded } from './encode.ts';
import type { ParamMap } from './model.ts';
import type { TrainEngine } from './engine.ts';
import { lossAndGrads } from './step.ts';

/** Test-set figures of protocol §4.1 (nats per sentence; Rec includes EOS). */
export interface SplitMetrics {
  /** Mean over batches of the batch-mean reconstruction loss, one sampled z per sentence. */
  rec: number;
  /** Mean over batches of the batch-mean analytic KL (0 for the AE). */
  kl: number;
  /** rec + kl: the negative ELBO the paper's code calls "elbo". */
  nelbo: number;
  /** Mean over batches of β|KL − C| + rec with the target C. */
  loss: number;
  /** Active units: dimensions whose posterior-mean variance over the split exceeds 0.01 (ddof 1). */
  au: number;
  sentences: number;
}

/** Per-dimension variance (ddof = 1) of N×K row-major values, in float64. */
export function columnVariances(x: Float32Array, n: number, k: number): Float64Array {
  const mean = new Float64Array(k);
  for (let i = 0; i < n; i++) for (let d = 0; d < k; d++) mean[d]! += x[i * k + d]!;
  for (let d = 0; d < k; d++) mean[d]! /= n;
  const v = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < k; d++) {
      const e = x[i * k + d]! - mean[d]!;
      v[d]! += e * e;
    }
  }
  for (let d = 0; d < k; d++) v[d]! /= Math.max(1, n - 1);
  return v;
}

/** Active units (protocol §4.1): dimensions of the N×K means whose variance (ddof 1) exceeds 0.01. */
function activeUnitCount(means: Float32Array, n: number, k: number): number {
  return columnVariances(means, n, k).reduce((a, v) => a + (v > 0.01 ? 1 : 0), 0);
}

/**
 * Protocol §4.1 on one split: forward passes in unshuffled batches of `batchSize` with one sampled z per
 * sentence (seeded), reported as means of per-batch means, plus AU on the posterior means.
 */
export function evaluateSplit(
  params: ParamMap,
  cfg: ModelConfig,
  rows: Int32Array[],
  o: { c: number; beta: number; batchSize: number; seed: number },
): SplitMetrics & { encoded: Encoded } {
  const rng = new Rng(o.seed);
  const K = cfg.latentDim;
  let rec = 0, kl = 0, loss = 0, batches = 0;
  for (let s = 0; s < rows.length; s += o.batchSize) {
    const batch = rows.slice(s, s + o.batchSize);
    const eps = new Float32Array(batch.length * K);
    for (let i = 0; i < eps.length; i++) eps[i] = rng.normal();
    const { stats } = lossAndGrads(params, cfg, batch, { cT: o.c, beta: o.beta, batchSize: batch.length, eps, forwardOnly: true });
    rec += stats.recSum / batch.length;
    kl += stats.klSum / batch.length;
    loss += stats.lossSum / batch.length;
    batches++;
  }
  const encoded = encodeRows(params, cfg, rows, o.batchSize);
  const au = activeUnitCount(encoded.mean, encoded.n, K);
  const b = Math.max(1, batches);
  return { rec: rec / b, kl: kl / b, nelbo: (rec + kl) / b, loss: loss / b, au, sentences: rows.length, encoded };
}

/**
 * `evaluateSplit` through a training engine (any engine, so onnxruntime runs evaluate as fast as they train): the
 * same batches, the same seeded noise and the same figures; AU from the means the engine's forward pass returns.
 */
export async function evaluateWithEngine(
  engine: Pick<TrainEngine, 'forward'>,
  cfg: ModelConfig,
  rows: Int32Array[],
  o: { c: number; beta: number; batchSize: number; seed: number },
): Promise<SplitMetrics> {
  const rng = new Rng(o.seed);
  const K = cfg.latentDim;
  const means = new Float32Array(rows.length * K);
  let rec = 0, kl = 0, loss = 0, batches = 0;
  for (let s = 0; s < rows.length; s += o.batchSize) {
    const batch = rows.slice(s, s + o.batchSize);
    const eps = new Float32Array(batch.length * K);
    for (let i = 0; i < eps.length; i++) eps[i] = rng.normal();
    const { stats, mean } = await engine.forward(batch, { cT: o.c, beta: o.beta, eps });
    means.set(mean, s * K);
    rec += stats.recSum / batch.length;
    kl += stats.klSum / batch.length;
    loss += stats.lossSum / batch.length;
    batches++;
  }
  const au = activeUnitCount(means, rows.length, K);
  const b = Math.max(1, batches);
  return { rec: rec / b, kl: kl / b, nelbo: (rec + kl) / b, loss: loss / b, au, sentences: rows.length };
}
