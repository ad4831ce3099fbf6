/**
 * `npm run bench:train`: training throughput of the tfjs trainer, one line per configuration:
 *   paper w1: 512 tokens/s (4.96 s/step), peak RSS 2,100 MB, backend wasm, workers 1
 * Synthetic batches of random word ids at a fixed length (no padding), full steps: forward, hand-written
 * backward, Keras Adam update (and, with workers, gradient exchange and weight broadcast).
 * Usage: npm run bench:train [-- --only paper --steps 4 --workers 1,2]
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import type { ModelConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { Adam } from '../train/adam.ts';
import { initBackend } from '../train/backend.ts';
import { createEngine } from '../train/engine.ts';
import { initWeights } from '../train/init.ts';
import { TfModel } from '../train/model.ts';
import { DEFAULT_TRAIN_CONFIG } from '../core/config.ts';

interface BenchConfig { name: string; model: ModelConfig; batch: number; length: number }
const CONFIGS: BenchConfig[] = [
  { name: 'paper', model: { posterior: 'iso', vocabSize: 12003, embeddingDim: 200, hiddenDim: 512, latentDim: 32 }, batch: 128, length: 25 },
  { name: 'small', model: { posterior: 'iso', vocabSize: 5003, embeddingDim: 64, hiddenDim: 128, latentDim: 32 }, batch: 64, length: 20 },
];

const { values } = parseArgs({ options: { only: { type: 'string' }, steps: { type: 'string', default: '4' }, workers: { type: 'string', default: '1,2' }, backend: { type: 'string', default: 'wasm' } } });
const backend = await initBackend(values.backend as 'wasm');
const steps = Number(values.steps);

for (const bc of CONFIGS.filter((c) => !values.only || values.only.split(',').includes(c.name))) {
  for (const workers of values.workers!.split(',').map(Number)) {
    const rng = new Rng(0);
    const model = new TfModel(bc.model, initWeights(bc.model, rng));
    const adam = new Adam(model.params, { lr: 5e-4, beta1: 0.9, beta2: 0.999, eps: 1e-7 });
    const engine = await createEngine(model, { ...DEFAULT_TRAIN_CONFIG, workers });
    let tokens = 0;
    let seconds = 0;
    for (let s = 0; s <= steps; s++) {
      const rows = Array.from({ length: bc.batch }, () => {
        const r = new Int32Array(bc.length);
        for (let t = 0; t < bc.length - 1; t++) r[t] = 3 + Math.floor(rng.next() * (bc.model.vocabSize - 3));
        r[bc.length - 1] = 2;
        return r;
      });
      const eps = new Float32Array(bc.batch * bc.model.latentDim).map(() => rng.normal());
      const t0 = performance.now();
      const { grads, stats } = await engine.compute(rows, { cT: 5, beta: 1, batchSize: bc.batch, eps });
      adam.apply(model.params, grads);
      tf.dispose([...grads.values()]);
      await engine.afterUpdate();
      const dt = (performance.now() - t0) / 1000;
      if (s > 0) { tokens += stats.tokens; seconds += dt; } // step 0 is warm-up (allocation, operator caches)
    }
    await engine.dispose();
    adam.dispose();
    model.dispose();
    console.log(
      `${bc.name} w${workers}: ${Math.round(tokens / seconds).toLocaleString('en-US')} tokens/s (${(seconds / steps).toFixed(2)} s/step, ` +
        `B=${bc.batch} T=${bc.length} E=${bc.model.embeddingDim} H=${bc.model.hiddenDim} K=${bc.model.latentDim} V=${bc.model.vocabSize}), ` +
        // maxRSS is the process high-water mark so far (worker threads share the process), in kB
        `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1e3).toLocaleString('en-US')} MB, backend ${backend}, workers ${workers}`,
    );
  }
}
