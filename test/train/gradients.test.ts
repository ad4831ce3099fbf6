import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig, Posterior } from '../../core/config.ts';
import { Rng } from '../../core/rng.ts';
import type { WeightName, Weights } from '../../core/weights.ts';
import { initBackend } from '../../train/backend.ts';
import { initWeights } from '../../train/init.ts';
import { TfModel } from '../../train/model.ts';
import { lossAndGrads } from '../../train/step.ts';
import { randomRows } from './helpers.ts';
import { referenceLoss } from './reference.ts';

beforeAll(async () => {
  await initBackend('wasm');
  await initBackend('cpu');
});

/** Autodiff of the plain-written loss on the cpu backend: the independent reference. */
function reference(cfg: ModelConfig, w: Weights, rows: Int32Array[], opts: Parameters<typeof referenceLoss>[3]) {
  tf.setBackend('cpu');
  const model = new TfModel(cfg, w);
  const ref = tf.variableGrads(() => referenceLoss(model.params, cfg, rows, opts), [...model.params.values()]);
  const grads = new Map<WeightName, Float32Array>();
  for (const [name, v] of model.params) grads.set(name, ref.grads[v.name]!.dataSync() as Float32Array);
  const loss = ref.value.dataSync()[0]!;
  tf.dispose([ref.value, ...Object.values(ref.grads)]);
  model.dispose();
  return { loss, grads };
}

describe('hand-written gradients equal tfjs autodiff', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    for (const posterior of ['iso', 'diag', 'ae'] as Posterior[]) {
      it(`${posterior} on ${backend}: loss and every parameter gradient, over batches of different shapes`, () => {
        const cfg: ModelConfig = { posterior, vocabSize: 23, embeddingDim: 5, hiddenDim: 6, latentDim: 4 };
        const rng = new Rng(7);
        const w = initWeights(cfg, rng);
        // Three batches of different widths: tfjs-wasm caches matMul operators per buffer, so shape changes matter.
        for (const [n, maxLen] of [[5, 6], [3, 9], [7, 2]] as const) {
          const rows = randomRows(rng, n, cfg.vocabSize, maxLen);
          const eps = new Float32Array(rows.length * cfg.latentDim).map(() => rng.normal());
          // C = 0.3 sits between the examples' KLs, so both signs of |KL - C| are exercised.
          const opts = { cT: 0.3, beta: 1.5, batchSize: 8, eps };
          const ref = reference(cfg, w, rows, opts);
          tf.setBackend(backend);
          const model = new TfModel(cfg, w);
          const { grads, stats } = lossAndGrads(model.params, cfg, rows, opts);
          expect(stats.lossSum / opts.batchSize).toBeCloseTo(ref.loss, 4);
          let worst = 0;
          for (const [name, theirs] of ref.grads) {
            const mine = grads.get(name)!.dataSync();
            expect(mine.length, name).toBe(theirs.length);
            let maxDiff = 0;
            let maxRef = 0;
            for (let i = 0; i < mine.length; i++) {
              maxDiff = Math.max(maxDiff, Math.abs(mine[i]! - theirs[i]!));
              maxRef = Math.max(maxRef, Math.abs(theirs[i]!));
            }
            worst = Math.max(worst, maxDiff);
            // atol 1e-5 plus 1e-4 of the gradient's scale: float32 sums in different orders, tanh via sigmoid.
            expect(maxDiff, `${name}: max abs diff ${maxDiff} (max |grad| ${maxRef})`).toBeLessThanOrEqual(1e-5 + 1e-4 * maxRef);
          }
          console.log(`${posterior}/${backend} batch ${n}x${maxLen}: max abs diff over all gradients ${worst.toExponential(2)}`);
          tf.dispose([...grads.values()]);
          model.dispose();
        }
      });
    }
  }
});
