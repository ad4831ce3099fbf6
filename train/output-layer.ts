import * as tf from '@tensorflow/tfjs-core';
import { colSum } from './fastops.ts';

/** Rows of the output layer processed at once: bounds the [rows, V] intermediates (3 of them) in the wasm heap. */
export const OUTPUT_CHUNK_ROWS = 1024;

/** Floor of p[target] before the log: caps a single token's nll at ~87.3 nats instead of +Infinity. */
const P_FLOOR = 1e-38;

/**
 * Sparse softmax cross-entropy of the untied output layer, forward and backward in one pass, chunked.
 *
 * For decoder states hs [N, H] (valid positions only) and integer targets [N]:
 *   p = softmax(hs W + b) [N, V];  nll_n = −log p_n[target_n]  (nats)
 *   dlogits = (p − onehot(target)) · scale
 * then dW = hs^T dlogits [H, V], db = Σ_n dlogits [V], dhs = dlogits W^T [N, H].
 * `scale` (1/batch for the batch-mean loss) is applied to the small operands (hs, the ones row, dhs), not to
 * the [N, V] matrix. The softmax kernel (XNNPACK) is ~4x faster on wasm than logSumExp + exp; nll from
 * log p is accurate to float32 rounding of p. The full [N, V] logits never exist at once, which matters for
 * the bounded wasm heap at V = 12,003. The caller owns the returned tensors.
 */
export function outputLayerGrads(
  hs: tf.Tensor2D,
  targets: Int32Array,
  W: tf.Tensor2D,
  b: tf.Tensor1D,
  scale: number,
): { nll: Float32Array; dW: tf.Tensor2D; db: tf.Tensor1D; dhs: tf.Tensor2D } {
  const N = hs.shape[0];
  const V = W.shape[1];
  const WT = tf.transpose(W) as tf.Tensor2D; // [V, H], once per step
  const nll = new Float32Array(N);
  let dW: tf.Tensor2D | null = null;
  let db: tf.Tensor1D | null = null;
  const dhsParts: tf.Tensor2D[] = [];
  for (let s = 0; s < N; s += OUTPUT_CHUNK_ROWS) {
    const n = Math.min(OUTPUT_CHUNK_ROWS, N - s);
    const tgt = targets.subarray(s, s + n);
    const part = tf.tidy(() => {
      const h = tf.slice(hs, [s, 0], [n, -1]) as tf.Tensor2D; // [n, H]
      const p = tf.softmax(tf.add(tf.matMul(h, W), b)) as tf.Tensor2D; // [n, V]
      const flatIdx = new Int32Array(n);
      for (let r = 0; r < n; r++) flatIdx[r] = r * V + tgt[r]!;
      const pTarget = tf.gather(tf.reshape(p, [-1]), tf.tensor1d(flatIdx, 'int32')); // [n]
      const nllPart = tf.neg(tf.log(tf.maximum(pTarget, P_FLOOR)));
      // int32 one-hot then cast: tfjs-backend-wasm 4.22's OneHot writes int bits into float32 outputs (1 -> 1.4e-45).
      const onehot = tf.cast(tf.oneHot(tf.tensor1d(tgt, 'int32'), V), 'float32');
      const dl = tf.sub(p, onehot) as tf.Tensor2D; // unscaled [n, V]
      return {
        nll: nllPart,
        dW: tf.matMul(tf.transpose(tf.mul(h, scale)), dl) as tf.Tensor2D, // [H, V]
        db: tf.mul(colSum(dl), scale) as tf.Tensor1D,
        dh: tf.mul(tf.matMul(dl, WT), scale) as tf.Tensor2D, // [n, H]
      };
    });
    nll.set(part.nll.dataSync() as Float32Array, s);
    part.nll.dispose();
    if (dW && db) {
      const [oldW, oldB] = [dW, db];
      dW = tf.add(oldW, part.dW) as tf.Tensor2D;
      db = tf.add(oldB, part.db) as tf.Tensor1D;
      tf.dispose([oldW, oldB, part.dW, part.db]);
    } else {
      dW = part.dW;
      db = part.db;
    }
    dhsParts.push(part.dh);
  }
  WT.dispose();
  if (!dW || !db) throw new RangeError('outputLayerGrads: no target positions (every row needs at least EOS)');
  const dhs = dhsParts.length === 1 ? dhsParts[0]! : (tf.concat(dhsParts, 0) as tf.Tensor2D);
  if (dhsParts.length > 1) tf.dispose(dhsParts);
  return { nll, dW, db, dhs };
}

/** Forward only: −log softmax(hs W + b)[target] per row [N] (nats), chunked like `outputLayerGrads`. */
export function outputLayerNll(hs: tf.Tensor2D, targets: Int32Array, W: tf.Tensor2D, b: tf.Tensor1D): Float32Array {
  const N = hs.shape[0];
  const V = W.shape[1];
  const nll = new Float32Array(N);
  for (let s = 0; s < N; s += OUTPUT_CHUNK_ROWS) {
    const n = Math.min(OUTPUT_CHUNK_ROWS, N - s);
    const part = tf.tidy(() => {
      const logp = tf.logSoftmax(tf.add(tf.matMul(tf.slice(hs, [s, 0], [n, -1]), W), b)); // [n, V]
      const flatIdx = new Int32Array(n);
      for (let r = 0; r < n; r++) flatIdx[r] = r * V + targets[s + r]!;
      return tf.neg(tf.gather(tf.reshape(logp, [-1]), tf.tensor1d(flatIdx, 'int32')));
    });
    nll.set(part.dataSync() as Float32Array, s);
    part.dispose();
  }
  return nll;
}
