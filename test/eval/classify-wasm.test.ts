import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { classificationProtocol } from '../../eval/classify.ts';
import { normal, seededUniform } from '../../eval/random.ts';

beforeAll(async () => {
  // The trainer's default backend: every op the classifier uses must have a wasm kernel.
  expect(await tf.setBackend('wasm')).toBe(true);
  await tf.ready();
});

describe('classificationProtocol on the wasm backend', () => {
  it('trains, separates two blobs and leaks no tensors', () => {
    // Two blobs 4 apart on axis 0 (std 0.5) in K = 3: a linear boundary separates them (>= 99%).
    const u = seededUniform(12);
    const N = 200;
    const x = new Float64Array(N * 3).map((_, i) => (i % 3 === 0 && Math.floor(i / 3) % 2 === 1 ? 4 : 0) + 0.5 * normal(u));
    const y = Int32Array.from({ length: N }, (_, i) => i % 2);
    const before = tf.memory().numTensors;
    const r = classificationProtocol(x, N, 3, y, { classifiers: 2 });
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.getBackend()).toBe('wasm');
    expect(r.mean).toBeGreaterThan(0.95);
  });
});
