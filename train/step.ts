import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../core/config.ts';
import { BOS_ID, PAD_ID } from '../core/special.ts';
import type { WeightName } from '../core/weights.ts';
import { colSum } from './fastops.ts';
import { klPerExample } from './kl.ts';
import { lstmBackward, lstmForward, projectionGrads } from './lstm.ts';
import type { ParamMap } from './model.ts';
import { outputLayerGrads, outputLayerNll } from './output-layer.ts';

/** Per-batch sums the trainer reports (divide by the batch size for means). */
export interface StepStats {
  /** Σ_i [β·|KL_i − C_t| + rec_i] over the rows of this (sub)batch, nats. */
  lossSum: number;
  /** Σ_i KL_i (0 for the AE), nats. */
  klSum: number;
  /** Σ_i rec_i, summed over tokens including EOS, nats. */
  recSum: number;
  /** Number of target tokens (words + EOS). */
  tokens: number;
  rows: number;
}

/** Options of one gradient computation. */
export interface StepOptions {
  /** Current target KL C_t (after the warm-up ramp), nats. */
  cT: number;
  /** β of the current step (after optional KL annealing). */
  beta: number;
  /** Divisor of the batch mean: the size of the whole batch when this is one shard of it. */
  batchSize: number;
  /** Standard-normal noise ε, [rows*K] row-major (ignored for the AE). */
  eps: Float32Array;
  /** Skip the backward pass (validation / test statistics); `grads` is then empty. */
  forwardOnly?: boolean;
  /** Use z = mean instead of a sample (deterministic evaluation). */
  useMean?: boolean;
}

/** Time-major index arrays of a post-padded batch (rows = word ids + EOS). */
export interface Layout {
  B: number;
  T: number;
  x: Int32Array; // [T*B] encoder input, x[t*B+b]
  y: Int32Array; // [T*B] decoder input: BOS then x shifted right
  validRows: Int32Array; // time-major rows with a target (t < len_b)
  targets: Int32Array; // target id per valid row
  exampleOf: Int32Array; // b per valid row
  eosRows: Int32Array; // [B] time-major row of each example's EOS
}

export function layoutOf(rows: Int32Array[]): Layout {
  const B = rows.length;
  const T = Math.max(...rows.map((r) => r.length));
  const x = new Int32Array(T * B);
  const y = new Int32Array(T * B);
  const N = rows.reduce((a, r) => a + r.length, 0);
  const validRows = new Int32Array(N);
  const targets = new Int32Array(N);
  const exampleOf = new Int32Array(N);
  const eosRows = new Int32Array(B);
  let n = 0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const r = rows[b]!;
      const id = t < r.length ? r[t]! : PAD_ID;
      x[t * B + b] = id;
      y[t * B + b] = t === 0 ? BOS_ID : t - 1 < r.length ? r[t - 1]! : PAD_ID;
      if (t < r.length) {
        validRows[n] = t * B + b;
        targets[n] = id;
        exampleOf[n] = b;
        n++;
      }
    }
  }
  rows.forEach((r, b) => (eosRows[b] = (r.length - 1) * B + b));
  return { B, T, x, y, validRows, targets, exampleOf, eosRows };
}

/**
 * Scatter rows: returns [T*B, H] whose row `rows[j]` is src[j] and every other row is 0, by gathering from
 * src with one zero row appended (faster than scatter in tfjs-wasm, and `rows` are unique).
 */
function spread(src: tf.Tensor2D, rows: Int32Array, total: number): tf.Tensor2D {
  const inv = inverseRows(rows, total);
  const ext = tf.concat([src, tf.zeros([1, src.shape[1]])], 0);
  return tf.gather(ext, tf.tensor1d(inv, 'int32')) as tf.Tensor2D;
}

/**
 * For each of `total` positions, its index in `rows` (which must be unique), or rows.length where it is absent:
 * gathering with it from `src` plus one appended zero row scatters `src` into those positions.
 */
export function inverseRows(rows: Int32Array, total: number): Int32Array {
  const inv = new Int32Array(total).fill(rows.length);
  rows.forEach((r, j) => (inv[r] = j));
  return inv;
}

/**
 * Batch sums of the objective from per-token nll [N] (the example of token j is exampleOf[j]) and per-example
 * KL [B] (null for the AE), summed in float64: rec_b = Σ nll over b's tokens, loss = Σ_b β|KL_b − C_t| + rec_b.
 */
export function batchStats(nll: ArrayLike<number>, exampleOf: Int32Array, kl: ArrayLike<number> | null, B: number, o: { cT: number; beta: number }): StepStats {
  const rec = new Float64Array(B);
  for (let j = 0; j < nll.length; j++) rec[exampleOf[j]!]! += nll[j]!;
  let klSum = 0;
  let lossSum = 0;
  for (let b = 0; b < B; b++) {
    if (kl) {
      klSum += kl[b]!;
      lossSum += o.beta * Math.abs(kl[b]! - o.cT) + rec[b]!;
    } else {
      lossSum += rec[b]!;
    }
  }
  return { lossSum, klSum, recSum: rec.reduce((a, v) => a + v, 0), tokens: nll.length, rows: B };
}

/**
 * Loss and gradients of one (sub)batch with hand-written backward passes (protocol §2-§3):
 * loss = (1/batchSize) Σ_i [β·|KL_i − C_t| + rec_i]; rec_i summed over tokens including EOS;
 * KL analytic against N(0, I) (DGP: K log-variances; IGP: one shared); the AE has rec only.
 * `rows` are word ids + EOS each (any lengths; the batch is padded to its own longest row).
 * Returns gradients for every parameter (the caller disposes them), the batch sums and a host copy of the
 * posterior means [B*K] row-major.
 */
export function lossAndGrads(
  params: ParamMap,
  cfg: ModelConfig,
  rows: Int32Array[],
  opts: StepOptions,
): { grads: Map<WeightName, tf.Tensor>; stats: StepStats; mean: Float32Array } {
  const L = layoutOf(rows);
  const { B, T } = L;
  const K = cfg.latentDim;
  const P = (n: WeightName) => {
    const v = params.get(n);
    if (!v) throw new RangeError(`lossAndGrads: missing weight "${n}"`);
    return v as tf.Tensor as tf.Tensor2D;
  };
  let stats: StepStats = { lossSum: 0, klSum: 0, recSum: 0, tokens: L.targets.length, rows: B };
  let meanHost: Float32Array = new Float32Array(0);
  const out = tf.tidy(() => {
    const emb = P('embedding');
    const E = emb.shape[1];
    const xIds = tf.tensor1d(L.x, 'int32');
    const yIds = tf.tensor1d(L.y, 'int32');

    // ---- encoder: h at each row's EOS --------------------------------------------------------------
    const xe = tf.gather(emb, xIds) as tf.Tensor2D; // [T*B, E]
    const encW = P('encoder/kernel');
    const encTape = lstmForward(tf.matMul(xe, encW) as tf.Tensor2D, tf.reshape(P('encoder/bias'), [1, -1]), P('encoder/recurrent_kernel'), T, B);
    const encAll = tf.concat(encTape.hs, 0) as tf.Tensor2D; // [T*B, H]
    const rep = tf.gather(encAll, tf.tensor1d(L.eosRows, 'int32')) as tf.Tensor2D; // [B, H]
    const mean = tf.add(tf.matMul(rep, P('mean/kernel')), P('mean/bias')) as tf.Tensor2D; // [B, K]
    let logvar: tf.Tensor2D | null = null; // [B, K] (diag) or [B, 1] (iso)
    let z = mean;
    let std: tf.Tensor2D | null = null;
    let epsT: tf.Tensor2D | null = null;
    if (cfg.posterior !== 'ae') {
      logvar = tf.add(tf.matMul(rep, P('logvar/kernel')), P('logvar/bias')) as tf.Tensor2D;
      std = tf.exp(tf.mul(logvar, 0.5)) as tf.Tensor2D;
      epsT = tf.tensor2d(opts.eps.subarray(0, B * K), [B, K]);
      if (!opts.useMean) z = tf.add(mean, tf.mul(std, epsT)) as tf.Tensor2D; // reparameterisation, broadcast for iso
    }

    // ---- decoder: [emb(y_t), z] at every step ------------------------------------------------------
    const decW = P('decoder/kernel'); // [E+K, 4H]
    const decWe = tf.slice(decW, [0, 0], [E, -1]) as tf.Tensor2D;
    const decWz = tf.slice(decW, [E, 0], [K, -1]) as tf.Tensor2D;
    const ye = tf.gather(emb, yIds) as tf.Tensor2D; // [T*B, E]
    const zBias = tf.add(tf.matMul(z, decWz), P('decoder/bias')) as tf.Tensor2D; // [B, 4H], same every step
    const decTape = lstmForward(tf.matMul(ye, decWe) as tf.Tensor2D, zBias, P('decoder/recurrent_kernel'), T, B);
    const decAll = tf.concat(decTape.hs, 0) as tf.Tensor2D; // [T*B, H]
    const decValid = tf.gather(decAll, tf.tensor1d(L.validRows, 'int32')) as tf.Tensor2D; // [N, H]
    const outW = P('output/kernel');
    const outB = P('output/bias') as tf.Tensor as tf.Tensor1D;
    const outL = opts.forwardOnly ? { nll: outputLayerNll(decValid, L.targets, outW, outB) } : outputLayerGrads(decValid, L.targets, outW, outB, 1 / opts.batchSize);

    // ---- per-example loss terms on the host (B values; exact float64 sums) ------------------------
    meanHost = mean.dataSync() as Float32Array;
    const kls = logvar ? klPerExample(meanHost, logvar.dataSync(), B, K, cfg.posterior === 'diag' ? 'diag' : 'iso') : null;
    stats = batchStats(outL.nll, L.exampleOf, kls, B, opts);
    const klCoef = new Float32Array(B); // β·sign(KL_i − C_t)/batchSize: d loss / d KL_i
    if (kls) for (let b = 0; b < B; b++) klCoef[b] = (opts.beta * Math.sign(kls[b]! - opts.cT)) / opts.batchSize;
    if (!('dhs' in outL)) return {};

    // ---- decoder backward ---------------------------------------------------------------------------
    const dDec = tf.split(spread(outL.dhs, L.validRows, T * B), T, 0) as tf.Tensor2D[];
    const decB = lstmBackward(decTape, dDec, P('decoder/recurrent_kernel'), T, B);
    const decProj = projectionGrads(ye, decWe, decB, true);
    const dzBias = decB.dASum; // Σ_t dA_t: z@W_z is added at every step, [B, 4H]
    const dDecWz = tf.matMul(tf.transpose(z), dzBias) as tf.Tensor2D; // [K, 4H]
    const dz = tf.matMul(dzBias, tf.transpose(decWz)) as tf.Tensor2D; // [B, K]

    // ---- latent and heads ---------------------------------------------------------------------------
    let dMean: tf.Tensor2D = dz;
    let dLogvar: tf.Tensor2D | null = null;
    if (logvar && std && epsT) {
      const coef = tf.tensor2d(klCoef, [B, 1]);
      dMean = tf.add(dz, tf.mul(coef, mean)) as tf.Tensor2D; // dKL/dμ = μ
      let dlvZ = tf.mul(tf.mul(dz, epsT), tf.mul(std, 0.5)) as tf.Tensor2D; // dz/dℓ = ε·½·exp(½ℓ)
      if (cfg.posterior === 'iso') dlvZ = tf.sum(dlvZ, 1, true) as tf.Tensor2D; // shared ℓ feeds all K dims
      const klPerLv = cfg.posterior === 'iso' ? 0.5 * K : 0.5; // dKL/dℓ = ½(e^ℓ − 1), times K for IGP
      dLogvar = tf.add(dlvZ, tf.mul(coef, tf.mul(tf.sub(tf.exp(logvar), 1), klPerLv))) as tf.Tensor2D;
    }
    const repT = tf.transpose(rep);
    let dRep = tf.matMul(dMean, tf.transpose(P('mean/kernel'))) as tf.Tensor2D; // [B, H]
    const grads: Partial<Record<WeightName, tf.Tensor>> = {};
    grads['mean/kernel'] = tf.matMul(repT, dMean);
    grads['mean/bias'] = colSum(dMean);
    if (dLogvar) {
      dRep = tf.add(dRep, tf.matMul(dLogvar, tf.transpose(P('logvar/kernel')))) as tf.Tensor2D;
      grads['logvar/kernel'] = tf.matMul(repT, dLogvar);
      grads['logvar/bias'] = colSum(dLogvar);
    }

    // ---- encoder backward ---------------------------------------------------------------------------
    const dEnc = tf.split(spread(dRep, L.eosRows, T * B), T, 0) as tf.Tensor2D[];
    const encB = lstmBackward(encTape, dEnc, P('encoder/recurrent_kernel'), T, B);
    const encProj = projectionGrads(xe, encW, encB, true);

    // ---- embedding: scatter-add of both input gradients (scatterND sums duplicate ids) ---------------
    const ids = tf.reshape(tf.concat([xIds, yIds]), [-1, 1]);
    const dEmb = tf.scatterND(ids, tf.concat([encProj.dx!, decProj.dx!], 0), emb.shape);

    grads['embedding'] = dEmb;
    grads['encoder/kernel'] = encProj.dW;
    grads['encoder/recurrent_kernel'] = encB.dU;
    grads['encoder/bias'] = encProj.db;
    grads['decoder/kernel'] = tf.concat([decProj.dW, dDecWz], 0);
    grads['decoder/recurrent_kernel'] = decB.dU;
    grads['decoder/bias'] = decProj.db; // the bias rides in zBias, whose gradient sums dA over time: the same total
    grads['output/kernel'] = outL.dW;
    grads['output/bias'] = outL.db;
    return grads as Record<string, tf.Tensor>;
  }) as Record<string, tf.Tensor>;
  return { grads: new Map(Object.entries(out) as Array<[WeightName, tf.Tensor]>), stats, mean: meanHost };
}
