import * as tf from '@tensorflow/tfjs-core';

/**
 * Small substitutes for tfjs ops that are slow on tfjs-backend-wasm (measured in docs/BENCHMARKS.md):
 * - reductions over axis 0 transpose internally (108 ms for sum over [1024, 12003]); a ones-row matMul does the
 *   same sum at matMul speed.
 * - tanh is a scalar loop (~5x slower than the XNNPACK sigmoid); tanh(x) = 2·sigmoid(2x) − 1 exactly in real
 *   arithmetic, with ~1e-7 absolute float32 error.
 */

/**
 * Column sums of x [rows, cols] -> [cols], as ones[1, rows] @ x.
 *
 * Caution (tfjs-backend-wasm 4.22 bug): BatchMatMul caches its XNNPACK operator, with the packed right-hand
 * operand, by that operand's data id and NOT its shape. A reshape shares the data id, so using one buffer as
 * the right-hand side of two matMuls under two shapes silently reuses the first packing (garbage or NaN).
 * Never pass a reshaped view of a tensor that was (or will be) a matMul right-hand side elsewhere.
 */
export function colSum(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.reshape(tf.matMul(tf.ones([1, x.shape[0]]), x), [-1]) as tf.Tensor1D);
}

/** tanh via the fast sigmoid kernel: 2·sigmoid(2x) − 1. */
export function fastTanh<T extends tf.Tensor>(x: T): T {
  return tf.tidy(() => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1) as T);
}
