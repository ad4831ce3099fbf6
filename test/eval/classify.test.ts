import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// Only the reference side of the gradient test uses tfjs autodiff.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { classificationProtocol, classificationSplit } from '../../eval/classify.ts';
import { initMlpParams, mlpLossAndGrads } from '../../eval/mlp.ts';
import { normal, seededUniform } from '../../eval/random.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

/** Three Gaussian blobs in K = 4 dims, centres 4 apart along different axes, std 0.3: linearly separable. */
function blobs(N: number, seed: number): { x: Float64Array; y: Int32Array } {
  const u = seededUniform(seed);
  const K = 4;
  const x = new Float64Array(N * K);
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    const c = i % 3;
    y[i] = c;
    for (let k = 0; k < K; k++) x[i * K + k] = (k === c ? 4 : 0) + 0.3 * normal(u);
  }
  return { x, y };
}

describe('classification split (classification.py + Keras validation_split)', () => {
  it('N = 14,000 gives 8,960 train / 2,240 validation / 2,800 test, a partition of all rows', () => {
    const s = classificationSplit(14000, seededUniform(0));
    expect([s.train.length, s.validation.length, s.test.length]).toEqual([8960, 2240, 2800]);
    const all = new Set([...s.train, ...s.validation, ...s.test]);
    expect(all.size).toBe(14000);
  });
  it('the same seed gives the same split (robustness reuses the rows)', () => {
    expect(classificationSplit(50, seededUniform(3)).test).toEqual(classificationSplit(50, seededUniform(3)).test);
  });
});

describe('classificationProtocol (tfjs MLP 128-128 ReLU)', () => {
  it('reaches ~100% on separable blobs, reports ddof-0 std, and leaks no tensors', () => {
    const { x, y } = blobs(300, 1);
    const before = tf.memory().numTensors;
    const seen: string[] = [];
    const r = classificationProtocol(x, 300, 4, y, { seed: 0, classifiers: 3, mlp: { epochs: 5 }, onProgress: (d, t) => seen.push(`${d}/${t}`) });
    expect(tf.memory().numTensors).toBe(before);
    expect(seen).toEqual(['1/3', '2/3', '3/3']);
    expect(r.numClasses).toBe(3);
    expect(r.sizes).toEqual({ train: 192, validation: 48, test: 60 });
    expect(r.accuracies).toHaveLength(3);
    for (const a of r.accuracies) expect(a).toBeGreaterThan(0.95);
    const m = r.accuracies.reduce((s, a) => s + a, 0) / 3;
    expect(r.mean).toBeCloseTo(m, 14);
    expect(r.std).toBeCloseTo(Math.sqrt(r.accuracies.reduce((s, a) => s + (a - m) ** 2, 0) / 3), 14);
  });
  it('is near chance on random labels (the classifier does not see the test rows)', () => {
    const { x } = blobs(300, 2);
    const u = seededUniform(9);
    const y = Int32Array.from({ length: 300 }, () => Math.floor(u() * 3));
    const r = classificationProtocol(x, 300, 4, y, { classifiers: 1, mlp: { epochs: 3 } });
    expect(r.mean).toBeLessThan(0.6); // chance is 1/3; 60 test rows
  });
  it('is deterministic for a seed', () => {
    const { x, y } = blobs(120, 4);
    const a = classificationProtocol(x, 120, 4, y, { seed: 5, classifiers: 1, mlp: { epochs: 2, hidden: [8, 8] } });
    const b = classificationProtocol(x, 120, 4, y, { seed: 5, classifiers: 1, mlp: { epochs: 2, hidden: [8, 8] } });
    expect(a.accuracies).toEqual(b.accuracies);
  });
});

describe('mlpLossAndGrads (hand-written backprop)', () => {
  it('equals tfjs autodiff (tf.grads) for every parameter', () => {
    // Reference: tf.grads over an independent forward pass using tf.losses.softmaxCrossEntropy and
    // tfjs-core's registered gradient kernels. Biases are made non-zero so their path is exercised.
    const u = seededUniform(2);
    const B = 7;
    const K = 5;
    const C = 4;
    const params = initMlpParams([K, 6, 3, C], u).map((p, i) => (i % 2 === 1 ? tf.add(p, tf.randomUniform(p.shape, -0.5, 0.5, 'float32', 1)) : p));
    const x = tf.tensor2d(Float32Array.from({ length: B * K }, () => 2 * u() - 1), [B, K]);
    const labels = Int32Array.from({ length: B }, () => Math.floor(u() * C));
    const y = tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), C), 'float32') as tf.Tensor2D;
    const { loss, grads } = mlpLossAndGrads(x, y, params);
    const lossFn = (...ps: tf.Tensor[]): tf.Scalar => {
      let h: tf.Tensor2D = x;
      for (let l = 0; l < ps.length / 2; l++) {
        const z = tf.add(tf.matMul(h, ps[2 * l] as tf.Tensor2D), ps[2 * l + 1] as tf.Tensor) as tf.Tensor2D;
        h = l < ps.length / 2 - 1 ? tf.relu(z) : z;
      }
      return tf.losses.softmaxCrossEntropy(y, h) as tf.Scalar;
    };
    const ref = tf.grads(lossFn)(params);
    expect(loss.dataSync()[0]).toBeCloseTo(lossFn(...params).dataSync()[0] as number, 5);
    let maxDiff = 0;
    grads.forEach((g, i) => {
      expect(g.shape).toEqual((ref[i] as tf.Tensor).shape);
      const a = g.dataSync();
      const b = (ref[i] as tf.Tensor).dataSync();
      for (let j = 0; j < a.length; j++) maxDiff = Math.max(maxDiff, Math.abs((a[j] as number) - (b[j] as number)));
    });
    // float32 arithmetic on O(1) values: atol 1e-6.
    expect(maxDiff).toBeLessThan(1e-6);
  });
});
