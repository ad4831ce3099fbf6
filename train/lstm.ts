import * as tf from '@tensorflow/tfjs-core';
import { colSum, fastTanh } from './fastops.ts';

/**
 * Hand-written forward and backward passes of a Keras LSTM layer over a whole time-major batch.
 *
 * Why not tfjs autodiff: every backward matMul of autodiff uses tfjs-wasm's transposed-matMul path, which
 * runs at 1-3.5 GFLOP/s versus ~40 GFLOP/s for a plain matMul, and the slice/stack gradients pad full-size
 * tensors each step. Here every matMul has plain operands (transposes are explicit, done once per step) and
 * the weight gradients are one large matMul over all time steps. Tested against autodiff in
 * test/train/gradients.test.ts.
 *
 * Padding: the layer runs unmasked. That is exact for post-padded batches because the caller only injects
 * gradients at valid positions and the recurrence only carries gradients backwards in time, so steps after
 * a row's end get zero gradient and never influence earlier steps.
 */
export interface LstmTape {
  /** h_t for t = 0..T-1, each [B, H]. */
  hs: tf.Tensor2D[];
  /** c_t, each [B, H]. */
  cs: tf.Tensor2D[];
  /** Gate activations i, f, o (sigmoid) and g (tanh), each [B, H]. */
  i: tf.Tensor2D[];
  f: tf.Tensor2D[];
  g: tf.Tensor2D[];
  o: tf.Tensor2D[];
  /** tanh(c_t), [B, H]. */
  tc: tf.Tensor2D[];
}

/**
 * Forward pass. `proj` [T*B, 4H] is x_t@W (time-major rows t*B+b), `bias` [B or 1, 4H] is added every step
 * (the decoder folds z@W_z into it), `U` [H, 4H] the recurrent kernel. Zero initial state.
 * The caller owns every returned tensor (call inside tf.tidy).
 */
export function lstmForward(proj: tf.Tensor2D, bias: tf.Tensor2D, U: tf.Tensor2D, T: number, B: number): LstmTape {
  const H = U.shape[0];
  const steps = tf.split(proj, T, 0) as tf.Tensor2D[]; // T x [B, 4H]
  const tape: LstmTape = { hs: [], cs: [], i: [], f: [], g: [], o: [], tc: [] };
  // One sigmoid for all four gates: the g block is pre-scaled by 2 so that g = tanh(a_g) = 2·sigmoid(2a_g) − 1.
  const gScale = tf.concat([tf.ones([1, 2 * H]), tf.fill([1, H], 2), tf.ones([1, H])], 1);
  let h: tf.Tensor2D | null = null;
  let c: tf.Tensor2D | null = null;
  for (let t = 0; t < T; t++) {
    let a = tf.add(steps[t]!, bias) as tf.Tensor2D; // [B, 4H]
    if (h) a = tf.add(a, tf.matMul(h, U)) as tf.Tensor2D;
    const [i, f, sg, o] = tf.split(tf.sigmoid(tf.mul(a, gScale)), 4, 1) as tf.Tensor2D[];
    const g = tf.sub(tf.mul(sg!, 2), 1) as tf.Tensor2D;
    const ig = tf.mul(i!, g);
    c = (c ? tf.add(tf.mul(f!, c), ig) : ig) as tf.Tensor2D;
    const tc = fastTanh(c);
    h = tf.mul(o!, tc) as tf.Tensor2D;
    tape.hs.push(h);
    tape.cs.push(c);
    tape.i.push(i!);
    tape.f.push(f!);
    tape.g.push(g);
    tape.o.push(o!);
    tape.tc.push(tc);
  }
  return tape;
}

/**
 * Backward pass through time. `dhOut[t]` [B, H] is dLoss/dh_t from outside the recurrence (null = zero).
 * Returns dA [T*B, 4H] (gradient w.r.t. the gate pre-activations, time-major), dASum = Σ_t dA_t [B, 4H]
 * (the gradient of a per-row term added at every step, and whose column sums give the bias gradient) and
 * dU [H, 4H].
 * From dA the caller gets dW = x^T dA, db = sum(dA) and dx = dA W^T with plain matMuls.
 */
export function lstmBackward(tape: LstmTape, dhOut: Array<tf.Tensor2D | null>, U: tf.Tensor2D, T: number, B: number): { dA: tf.Tensor2D; dASum: tf.Tensor2D; dU: tf.Tensor2D } {
  const H = U.shape[0];
  const UT = tf.transpose(U) as tf.Tensor2D; // [4H, H]
  const das: tf.Tensor2D[] = new Array(T);
  let dhNext: tf.Tensor2D | null = null;
  let dcNext: tf.Tensor2D | null = null;
  const one = tf.scalar(1);
  for (let t = T - 1; t >= 0; t--) {
    const out = dhOut[t] ?? null;
    const dh = out && dhNext ? tf.add(out, dhNext) : (out ?? dhNext);
    if (!dh) {
      das[t] = tf.zeros([B, 4 * H]);
      continue;
    }
    const i = tape.i[t]!, f = tape.f[t]!, g = tape.g[t]!, o = tape.o[t]!, tc = tape.tc[t]!;
    // dc = dh * o * (1 - tanh(c)^2) + dc_next
    let dc = tf.mul(tf.mul(dh, o), tf.sub(one, tf.square(tc)));
    if (dcNext) dc = tf.add(dc, dcNext);
    const dai = tf.mul(tf.mul(dc, g), tf.mul(i, tf.sub(one, i)));
    const daf = t > 0 ? tf.mul(tf.mul(dc, tape.cs[t - 1]!), tf.mul(f, tf.sub(one, f))) : tf.zerosLike(f);
    const dag = tf.mul(tf.mul(dc, i), tf.sub(one, tf.square(g)));
    const dao = tf.mul(tf.mul(dh, tc), tf.mul(o, tf.sub(one, o)));
    const da = tf.concat([dai, daf, dag, dao], 1) as tf.Tensor2D; // [B, 4H]
    das[t] = da;
    dhNext = t > 0 ? (tf.matMul(da, UT) as tf.Tensor2D) : null;
    dcNext = tf.mul(dc, f) as tf.Tensor2D;
  }
  const dA = tf.concat(das, 0) as tf.Tensor2D; // [T*B, 4H]
  const dASum = (T > 1 ? tf.addN(das) : das[0]!) as tf.Tensor2D; // [B, 4H]
  // dU = sum_t h_{t-1}^T da_t = Hprev^T dA with Hprev = [0, h_0, ..., h_{T-2}] stacked time-major.
  let dU: tf.Tensor2D;
  if (T > 1) {
    const hPrev = tf.concat(tape.hs.slice(0, T - 1), 0); // [(T-1)*B, H]
    const dAtail = tf.slice(dA, [B, 0], [(T - 1) * B, 4 * H]);
    dU = tf.matMul(tf.transpose(hPrev), dAtail) as tf.Tensor2D;
  } else {
    dU = tf.zeros([H, 4 * H]);
  }
  return { dA, dASum, dU };
}

/**
 * Weight gradients of an input projection x@W + b: dW = x^T dA [in, 4H], db = column sums of dASum [4H],
 * dx = dA W^T [rows, in].
 */
export function projectionGrads(x: tf.Tensor2D, W: tf.Tensor2D, g: { dA: tf.Tensor2D; dASum: tf.Tensor2D }, needDx: boolean): { dW: tf.Tensor2D; db: tf.Tensor1D; dx: tf.Tensor2D | null } {
  const dA = g.dA;
  const dW = tf.matMul(tf.transpose(x), dA) as tf.Tensor2D;
  const db = colSum(g.dASum);
  const dx = needDx ? (tf.matMul(dA, tf.transpose(W)) as tf.Tensor2D) : null;
  return { dW, db, dx };
}
