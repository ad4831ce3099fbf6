import * as tf from '@tensorflow/tfjs-core';

/**
 * Rows of the output layer processed at once: bounds the [rows, V] intermediates in the wasm heap. 512 rather than
 * 1024 because tfjs-wasm's matMul with a 512-long inner dimension (the dW product) runs at ~37 GFLOP/s against ~29
 * at 1024 (docs/BENCHMARKS.md).
 */
export const OUTPUT_CHUNK_ROWS = 512;

/** Column block of p (rows of W^T) per partial product of dlogits W^T. */
const DH_BLOCK = 3072;

/** Sizes of ~`block`-wide pieces covering `total` (the last piece takes the remainder). */
function splitSizes(total: number, block: number): number[] {
  const parts = Math.max(1, Math.round(total / block));
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => (i < parts - 1 ? base : total - base * (parts - 1)));
}

/** x [n, V] @ concat(rowBlocks) [V, H] as a sum of per-block products (x split by columns). */
function blockMatMul(x: tf.Tensor2D, sizes: number[], rowBlocks: tf.Tensor2D[]): tf.Tensor2D {
  if (rowBlocks.length === 1) return tf.matMul(x, rowBlocks[0]!);
  const cols = tf.split(x, sizes, 1) as tf.Tensor2D[];
  return tf.addN(cols.map((c, j) => tf.matMul(c, rowBlocks[j]!))) as tf.Tensor2D;
}

/** Floor of p[target] before the log: caps a single token's nll at ~87.3 nats instead of +Infinity. */
const P_FLOOR = 1e-38;

/**
 * Sparse softmax cross-entropy of the untied output layer, forward and backward in one pass, chunked.
 *
 * For decoder states hs [N, H] (valid positions only) and integer targets [N], with p = softmax(hs W + b):
 *   nll_n = −log p_n[target_n]  (nats)
 *   dlogits = (p − onehot(target)) · scale          (scale = 1/batch for the batch-mean loss)
 *   dW = hs^T dlogits [H, V],  db = Σ_n dlogits [V],  dhs = dlogits W^T [N, H]
 * The one-hot part is never materialised ([N, V] would cost three passes over 12M floats per chunk):
 *   hs^T onehot = (scatter of hs rows into their target columns) — one [V, H] scatter per step;
 *   onehot W^T = W^T[target] — a gather; Σ_n onehot = target counts.
 * db rides along dW as an extra ones column of hs ([H+1, V] result). Bias is fused into the forward matMul.
 * The full [N, V] logits never exist at once, which matters for the bounded wasm heap at V = 12,003.
 * The caller owns the returned tensors.
 */
export function outputLayerGrads(
  hs: tf.Tensor2D,
  targets: Int32Array,
  W: tf.Tensor2D,
  b: tf.Tensor1D,
  scale: number,
  /** Rows per chunk and columns per block of the dlogits W^T product (defaults: the tuned sizes; tests use small ones). */
  tiling: { chunkRows?: number; dhBlock?: number } = {},
): { nll: Float32Array; dW: tf.Tensor2D; db: tf.Tensor1D; dhs: tf.Tensor2D } {
  const chunkRows = tiling.chunkRows ?? OUTPUT_CHUNK_ROWS;
  const [N, H] = hs.shape;
  const V = W.shape[1];
  if (N === 0) throw new RangeError('outputLayerGrads: no target positions (every row needs at least EOS)');
  const WT = tf.transpose(W) as tf.Tensor2D; // [V, H], once per step
  // dlogits W^T with a ~3,000-long inner dimension per product: tfjs-wasm's matMul runs ~42 GFLOP/s there
  // against ~26 with the full 12,003 (docs/BENCHMARKS.md), which pays for splitting p by columns.
  const vBlocks = splitSizes(V, tiling.dhBlock ?? DH_BLOCK);
  const WTblocks = vBlocks.length > 1 ? (tf.split(WT, vBlocks, 0) as tf.Tensor2D[]) : [WT];
  const hsScaled = tf.mul(hs, scale) as tf.Tensor2D;
  // [N, H+1]: the scaled states plus a column of `scale`, so that one matMul gives dW and db together.
  const hsExt = tf.concat([hsScaled, tf.fill([N, 1], scale)], 1) as tf.Tensor2D;
  const nll = new Float32Array(N);
  let dWb: tf.Tensor2D | null = null; // [H+1, V], Σ_chunks hsExt^T p
  const dhsParts: tf.Tensor2D[] = [];
  for (let s = 0; s < N; s += chunkRows) {
    const n = Math.min(chunkRows, N - s);
    const tgt = targets.subarray(s, s + n);
    const part = tf.tidy(() => {
      const h = tf.slice(hs, [s, 0], [n, -1]) as tf.Tensor2D; // [n, H]
      const p = tf.softmax(tf.fused.matMul({ a: h, b: W, bias: b })) as tf.Tensor2D; // [n, V]
      const flatIdx = new Int32Array(n);
      for (let r = 0; r < n; r++) flatIdx[r] = r * V + tgt[r]!;
      const pTarget = tf.gather(tf.reshape(p, [-1]), tf.tensor1d(flatIdx, 'int32')); // [n]
      const tgtIds = tf.tensor1d(tgt, 'int32');
      return {
        nll: tf.neg(tf.log(tf.maximum(pTarget, P_FLOOR))),
        dWb: tf.matMul(tf.transpose(tf.slice(hsExt, [s, 0], [n, -1])), p) as tf.Tensor2D, // [H+1, V]
        dh: tf.mul(tf.sub(blockMatMul(p, vBlocks, WTblocks), tf.gather(WT, tgtIds)), scale) as tf.Tensor2D, // (p − onehot) W^T, [n, H]
      };
    });
    nll.set(part.nll.dataSync() as Float32Array, s);
    part.nll.dispose();
    if (dWb) {
      const old = dWb;
      dWb = tf.add(old, part.dWb) as tf.Tensor2D;
      tf.dispose([old, part.dWb]);
    } else {
      dWb = part.dWb;
    }
    dhsParts.push(part.dh);
  }
  const counts = new Float32Array(V);
  for (let i = 0; i < N; i++) counts[targets[i]!]! += scale;
  const out = tf.tidy(() => {
    // Subtract the one-hot terms: hs^T onehot = transpose(scatter of the scaled rows into their targets).
    const hot = tf.transpose(tf.scatterND(tf.tensor2d(targets, [N, 1], 'int32'), hsScaled, [V, H])); // [H, V]
    const dW = tf.sub(tf.slice(dWb!, [0, 0], [H, V]), hot) as tf.Tensor2D;
    const db = tf.sub(tf.reshape(tf.slice(dWb!, [H, 0], [1, V]), [V]), tf.tensor1d(counts)) as tf.Tensor1D;
    return { dW, db };
  });
  tf.dispose([WT, hsScaled, hsExt, dWb!, ...(vBlocks.length > 1 ? WTblocks : [])]);
  const dhs = dhsParts.length === 1 ? dhsParts[0]! : (tf.concat(dhsParts, 0) as tf.Tensor2D);
  if (dhsParts.length > 1) tf.dispose(dhsParts);
  return { nll, dW: out.dW, db: out.db, dhs };
}

/** Forward only: −log softmax(hs W + b)[target] per row [N] (nats), chunked like `outputLayerGrads`. */
export function outputLayerNll(hs: tf.Tensor2D, targets: Int32Array, W: tf.Tensor2D, b: tf.Tensor1D): Float32Array {
  const N = hs.shape[0];
  const V = W.shape[1];
  const nll = new Float32Array(N);
  for (let s = 0; s < N; s += OUTPUT_CHUNK_ROWS) {
    const n = Math.min(OUTPUT_CHUNK_ROWS, N - s);
    const part = tf.tidy(() => {
      const logp = tf.logSoftmax(tf.fused.matMul({ a: tf.slice(hs, [s, 0], [n, -1]) as tf.Tensor2D, b: W, bias: b })); // [n, V]
      const flatIdx = new Int32Array(n);
      for (let r = 0; r < n; r++) flatIdx[r] = r * V + targets[s + r]!;
      return tf.neg(tf.gather(tf.reshape(logp, [-1]), tf.tensor1d(flatIdx, 'int32')));
    });
    nll.set(part.dataSync() as Float32Array, s);
    part.dispose();
  }
  return nll;
}
