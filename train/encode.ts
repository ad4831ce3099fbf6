import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../core/config.ts';
import { lstmForward } from './lstm.ts';
import type { ParamMap } from './model.ts';

/** Posterior parameters of N sentences, row-major host arrays. */
export interface Encoded {
  n: number;
  k: number;
  /** [N, K] posterior means (the AE's code z). */
  mean: Float32Array;
  /** [N, K] log-variances (IGP: the shared value repeated K times); null for the AE. */
  logvar: Float32Array | null;
}

/**
 * Encode many sentences (rows of word ids + EOS) in batches of `batchSize` (default 128), in order.
 * Same math as TfModel.encode (h at EOS, heads) on the fast time-major LSTM of the trainer; no gradients.
 */
export function encodeRows(params: ParamMap, cfg: ModelConfig, rows: Int32Array[], batchSize = 128): Encoded {
  const K = cfg.latentDim;
  const mean = new Float32Array(rows.length * K);
  const logvar = cfg.posterior === 'ae' ? null : new Float32Array(rows.length * K);
  const P = (n: Parameters<ParamMap['get']>[0]) => params.get(n)! as tf.Tensor as tf.Tensor2D;
  for (let s = 0; s < rows.length; s += batchSize) {
    const batch = rows.slice(s, s + batchSize);
    const B = batch.length;
    const T = Math.max(...batch.map((r) => r.length));
    const x = new Int32Array(T * B); // time-major, PAD-filled
    const eosRows = new Int32Array(B);
    batch.forEach((r, b) => {
      r.forEach((id, t) => (x[t * B + b] = id));
      eosRows[b] = (r.length - 1) * B + b;
    });
    const out = tf.tidy(() => {
      const xe = tf.gather(P('embedding'), tf.tensor1d(x, 'int32')) as tf.Tensor2D; // [T*B, E]
      const tape = lstmForward(tf.matMul(xe, P('encoder/kernel')) as tf.Tensor2D, tf.reshape(P('encoder/bias'), [1, -1]), P('encoder/recurrent_kernel'), T, B);
      const rep = tf.gather(tf.concat(tape.hs, 0), tf.tensor1d(eosRows, 'int32')) as tf.Tensor2D; // [B, H]
      const m = tf.add(tf.matMul(rep, P('mean/kernel')), P('mean/bias'));
      if (cfg.posterior === 'ae') return [m];
      const lv = tf.add(tf.matMul(rep, P('logvar/kernel')), P('logvar/bias'));
      return [m, cfg.posterior === 'iso' ? tf.tile(lv, [1, K]) : lv];
    });
    mean.set(out[0]!.dataSync() as Float32Array, s * K);
    if (logvar && out[1]) logvar.set(out[1].dataSync() as Float32Array, s * K);
    tf.dispose(out);
  }
  return { n: rows.length, k: K, mean, logvar };
}
