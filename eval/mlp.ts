/**
 * The paper's downstream classifier (classification.py; protocol §4.3) in tfjs-core:
 * Dense(128, ReLU) -> Dense(128, ReLU) -> Dense(C, softmax), glorot_uniform kernels and zero
 * biases, categorical cross-entropy (stable log-softmax, batch mean), Keras-form Adam (lr 1e-3,
 * beta1 0.9, beta2 0.999, eps 1e-7: theta -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps)),
 * batch 64, 20 epochs, training rows reshuffled every epoch, last partial batch kept.
 *
 * The protocol's independent classifiers are trained one after the other (batched 3-D matmuls
 * measured slower on tfjs-wasm than sequential 2-D ones), and transposed products are formed with
 * an explicit `tf.transpose` (2.5x faster on wasm than matMul's transpose flags).
 * Gradients are written by hand (`mlpLossAndGrads`, checked against tfjs autodiff in the tests):
 * tfjs-core autodiff needs `register_all_gradients`, which does not load under plain Node ESM.
 * The backend is chosen by the caller (`await tf.setBackend('cpu' | 'wasm')`). Every tensor
 * created here is disposed before returning.
 */
import * as tf from '@tensorflow/tfjs-core';
import { asUniform, draw, permutation, type RandomSource, type Uniform } from './random.ts';

/** Hyper-parameters of the classifier; the defaults are classification.py's. */
export interface MlpOptions {
  /** Hidden layer sizes (default [128, 128]). */
  hidden: number[];
  epochs: number;
  batchSize: number;
  lr: number;
  beta1: number;
  beta2: number;
  /** Adam epsilon (Keras default 1e-7). */
  epsilon: number;
}

export const DEFAULT_MLP_OPTIONS: Readonly<MlpOptions> = Object.freeze({
  hidden: [128, 128],
  epochs: 20,
  batchSize: 64,
  lr: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  epsilon: 1e-7,
});

/** Host-side rows for {@link trainAndEvaluateMlps}: features `[n, K]` row-major and labels `[n]`. */
export interface LabelledRows {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

/** glorot_uniform `[fanIn, fanOut]`: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)), from `u`. */
export function glorotUniform(fanIn: number, fanOut: number, u: Uniform): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < w.length; i++) w[i] = (2 * draw(u) - 1) * limit;
  return w;
}

/**
 * Forward pass; params = [W1, b1, ..., Wout, bout] with W_l `[in, out]` and b_l `[out]`;
 * x `[batch, K]`. Returns pre-activations and layer inputs.
 */
function forward(x: tf.Tensor2D, params: readonly tf.Tensor[]): { zs: tf.Tensor2D[]; acts: tf.Tensor2D[] } {
  const layers = params.length / 2;
  const acts: tf.Tensor2D[] = [x]; // acts[l] is the input of layer l, [batch, width_l]
  const zs: tf.Tensor2D[] = [];
  for (let l = 0; l < layers; l++) {
    const z = tf.add(tf.matMul(acts[l] as tf.Tensor2D, params[2 * l] as tf.Tensor2D), params[2 * l + 1] as tf.Tensor) as tf.Tensor2D;
    zs.push(z);
    if (l < layers - 1) acts.push(tf.relu(z));
  }
  return { zs, acts }; // zs[layers-1] = logits [batch, C]
}

/** Logits `[batch, C]` of the MLP for inputs `[batch, K]`. */
export function mlpLogits(x: tf.Tensor2D, params: readonly tf.Tensor[]): tf.Tensor2D {
  return tf.tidy(() => {
    const { zs } = forward(x, params);
    return zs[zs.length - 1] as tf.Tensor2D;
  });
}

/**
 * Mean categorical cross-entropy of softmax(logits) against one-hot `y` (`[batch, C]`) and its
 * gradient for every parameter, by backpropagation:
 * dLogits = (softmax - y) / batch; dW_l = a_l^T dZ_l; db_l = sum_batch dZ_l;
 * dZ_{l-1} = (dZ_l W_l^T) * [z_{l-1} > 0] (ReLU; TF's derivative at 0 is 0).
 * Call inside `tf.tidy`; returns new tensors in `params` order.
 */
export function mlpLossAndGrads(x: tf.Tensor2D, y: tf.Tensor2D, params: readonly tf.Tensor[]): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const { zs, acts } = forward(x, params);
  const layers = params.length / 2;
  const logits = zs[layers - 1] as tf.Tensor2D;
  const batch = x.shape[0];
  const logp = tf.logSoftmax(logits); // [batch, C]
  const loss = tf.neg(tf.mean(tf.sum(tf.mul(y, logp), 1))) as tf.Scalar;
  const grads: tf.Tensor[] = new Array<tf.Tensor>(params.length);
  let dZ = tf.div(tf.sub(tf.exp(logp), y), batch) as tf.Tensor2D; // [batch, C]
  for (let l = layers - 1; l >= 0; l--) {
    grads[2 * l] = tf.matMul(tf.transpose(acts[l] as tf.Tensor2D), dZ); // [in, out]
    grads[2 * l + 1] = tf.sum(dZ, 0); // [out]
    if (l > 0) {
      const dA = tf.matMul(dZ, tf.transpose(params[2 * l] as tf.Tensor2D)); // [batch, in]
      dZ = tf.mul(dA, tf.cast(tf.greater(zs[l - 1] as tf.Tensor2D, 0), 'float32')) as tf.Tensor2D;
    }
  }
  return { loss, grads };
}

/** Glorot-initialised kernels `[in, out]` and zero biases `[out]` of one MLP with layer `widths`. */
export function initMlpParams(widths: readonly number[], u: Uniform): tf.Tensor[] {
  return widths.slice(0, -1).flatMap((fi, l) => {
    const fo = widths[l + 1] as number;
    return [tf.tensor2d(glorotUniform(fi, fo, u), [fi, fo]), tf.zeros([fo])];
  });
}

/**
 * Trains one freshly initialised classifier on `train` and returns its accuracy (fraction of
 * argmax matches) on `test`. `u` supplies the initialisation and then the per-epoch shuffles.
 */
function trainAndEvaluateOne(train: LabelledRows, test: LabelledRows, K: number, numClasses: number, u: Uniform, o: MlpOptions): number {
  // tf.variable() keeps a reference to its initial tensor's data; tidy disposes the temporaries.
  const params: tf.Variable[] = tf.tidy(() => initMlpParams([K, ...o.hidden, numClasses], u).map((t) => tf.variable(t, true)));
  const m = tf.tidy(() => params.map((p) => tf.variable(tf.zerosLike(p), false))); // Adam first moments
  const v = tf.tidy(() => params.map((p) => tf.variable(tf.zerosLike(p), false))); // Adam second moments
  const xTrain = tf.tensor2d(train.x, [train.n, K]);
  const yTrain = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(train.y, 'int32'), numClasses), 'float32'));
  try {
    let step = 0;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = permutation(train.n, u);
      for (let start = 0; start < train.n; start += o.batchSize) {
        step++;
        const idx = order.subarray(start, Math.min(train.n, start + o.batchSize));
        const lrT = (o.lr * Math.sqrt(1 - o.beta2 ** step)) / (1 - o.beta1 ** step);
        tf.tidy(() => {
          const ib = tf.tensor1d(idx, 'int32');
          const xb = tf.gather(xTrain, ib) as tf.Tensor2D; // [batch, K]
          const yb = tf.gather(yTrain, ib) as tf.Tensor2D; // [batch, C] one-hot
          const { grads } = mlpLossAndGrads(xb, yb, params);
          params.forEach((p, i) => {
            const g = grads[i] as tf.Tensor;
            const mi = m[i] as tf.Variable;
            const vi = v[i] as tf.Variable;
            mi.assign(tf.add(tf.mul(mi, o.beta1), tf.mul(g, 1 - o.beta1)));
            vi.assign(tf.add(tf.mul(vi, o.beta2), tf.mul(tf.square(g), 1 - o.beta2)));
            p.assign(tf.sub(p, tf.mul(lrT, tf.div(mi, tf.add(tf.sqrt(vi), o.epsilon)))));
          });
        });
      }
    }
    const correct = tf.tidy(() => {
      const pred = tf.argMax(mlpLogits(tf.tensor2d(test.x, [test.n, K]), params), 1); // [nTest]
      return tf.sum(tf.cast(tf.equal(pred, tf.tensor1d(test.y, 'int32')), 'int32')).dataSync()[0] as number;
    });
    return correct / test.n;
  } finally {
    xTrain.dispose();
    yTrain.dispose();
    for (const t of [...params, ...m, ...v]) t.dispose();
  }
}

/**
 * Trains `members` freshly initialised classifiers on `train`, one after the other, each drawing
 * its initialisation and then its epoch shuffles from `rng` (like Keras drawing from the global
 * TF seed), and returns each one's accuracy (fraction of argmax matches) on `test`.
 * `numClasses` = max label + 1. `onMember(index, accuracy)` reports progress.
 */
export function trainAndEvaluateMlps(
  train: LabelledRows,
  test: LabelledRows,
  K: number,
  numClasses: number,
  rng: RandomSource,
  members: number,
  options: Partial<MlpOptions> = {},
  onMember?: (index: number, accuracy: number) => void,
): number[] {
  const o: MlpOptions = { ...DEFAULT_MLP_OPTIONS, ...options };
  const u = asUniform(rng);
  if (train.n < 1 || test.n < 1) throw new RangeError(`trainAndEvaluateMlps: needs >= 1 train and test row, got ${train.n} / ${test.n}`);
  if (!Number.isInteger(members) || members < 1) throw new RangeError(`trainAndEvaluateMlps members: expected an integer >= 1, got ${members}`);
  const accuracies: number[] = [];
  for (let k = 0; k < members; k++) {
    accuracies.push(trainAndEvaluateOne(train, test, K, numClasses, u, o));
    onMember?.(k, accuracies[k] as number);
  }
  return accuracies;
}
