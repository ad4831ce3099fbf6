import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { initWeights } from '../../train/init.ts';
import { TfModel } from '../../train/model.ts';
import { decodeWithPrefix } from '../../reproduce/decode.ts';
import { TINY } from '../train/helpers.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('decodeWithPrefix', () => {
  const cfg = { ...TINY, posterior: 'diag' as const };
  const rng = new Rng(5);
  const K = cfg.latentDim;
  const N = 6;
  // Large z so that rows decode differently from a random model.
  const z = Float32Array.from({ length: N * K }, () => 3 * rng.normal());

  it('with empty prefixes equals TfModel.greedyDecode (the trainer reference)', () => {
    const model = new TfModel(cfg, initWeights(cfg, new Rng(9)));
    try {
      const ours = decodeWithPrefix(model, z, Array.from({ length: N }, () => []), 9, 4); // batches of 4 and 2
      const zt = tf.tensor2d(z, [N, K]);
      const ref = model.greedyDecode(zt, 9);
      zt.dispose();
      expect(ours).toEqual(ref);
    } finally {
      model.dispose();
    }
  });

  it('teacher-forcing the model\'s own greedy prefix continues exactly as greedy decoding', () => {
    // Feeding back the first k greedy tokens as a prefix reproduces the same states, so the generated
    // part must equal greedy[k:], and at most steps - k tokens are generated.
    const model = new TfModel(cfg, initWeights(cfg, new Rng(9)));
    try {
      const steps = 9;
      const greedy = decodeWithPrefix(model, z, Array.from({ length: N }, () => []), steps);
      const ks = greedy.map((g, i) => Math.min(g.length, i % 4));
      const prefixes = greedy.map((g, i) => g.slice(0, ks[i]));
      const cont = decodeWithPrefix(model, z, prefixes, steps);
      cont.forEach((c, i) => {
        expect(c).toEqual(greedy[i]!.slice(ks[i]));
        expect(c.length).toBeLessThanOrEqual(steps - ks[i]!);
      });
      expect(() => decodeWithPrefix(model, z.subarray(1), prefixes, steps)).toThrow(RangeError);
    } finally {
      model.dispose();
    }
  });
});
