import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrainConfig } from '../../core/config.ts';
import { Rng } from '../../core/rng.ts';
import { Adam } from '../../train/adam.ts';
import { initBackend } from '../../train/backend.ts';
import { loadCheckpoint } from '../../train/checkpoint.ts';
import { createEngine, type GradientEngine } from '../../train/engine.ts';
import { initWeights } from '../../train/init.ts';
import { padBatch, TfModel } from '../../train/model.ts';
import { lossAndGrads } from '../../train/step.ts';
import { trainModel } from '../../train/trainer.ts';
import { randomRows, tinyDataset, TINY } from './helpers.ts';

/** One optimiser step through an engine on a random batch of 6 rows; returns nothing, disposes the gradients. */
async function engineStep(engine: GradientEngine, model: TfModel, adam: Adam, rng: Rng): Promise<void> {
  const rows = randomRows(rng, 6, TINY.vocabSize, 7);
  const { grads } = await engine.compute(rows, { cT: 1, beta: 1, batchSize: 6, eps: new Float32Array(24).map(() => rng.normal()) });
  adam.apply(model.params, grads);
  tf.dispose([...grads.values()]);
  await engine.afterUpdate();
}

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'isovae-train-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('tensor lifetimes', () => {
  it('a training step (gradients, Adam update, dispose) leaves tf.memory().numTensors unchanged', async () => {
    const rng = new Rng(1);
    const model = new TfModel(TINY, initWeights(TINY, rng));
    const adam = new Adam(model.params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 });
    const engine = await createEngine(model, resolveTrainConfig({ source: 'test', values: {} }));
    const step = () => engineStep(engine, model, adam, rng);
    await step(); // the first step may create lasting state (none expected, but do not count it)
    const before = tf.memory().numTensors;
    await step();
    await step();
    expect(tf.memory().numTensors).toBe(before);
    await engine.dispose();
    adam.dispose();
    model.dispose();
  });

  it('with two data-parallel workers, neither this thread nor the worker leaks tensors across steps', async () => {
    const { ParallelEngine } = await import('../../train/parallel.ts');
    const rng = new Rng(4);
    const model = new TfModel(TINY, initWeights(TINY, rng));
    const adam = new Adam(model.params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 });
    const engine = await ParallelEngine.start(model, 2);
    const step = () => engineStep(engine, model, adam, rng);
    await step();
    const before = [tf.memory().numTensors, ...(await engine.workerTensorCounts())];
    await step();
    await step();
    expect([tf.memory().numTensors, ...(await engine.workerTensorCounts())]).toEqual(before);
    await engine.dispose();
    adam.dispose();
    model.dispose();
  });

  it('two workers compute the same gradients as one thread (up to float32 summation order)', async () => {
    const { ParallelEngine } = await import('../../train/parallel.ts');
    const rng = new Rng(9);
    const model = new TfModel(TINY, initWeights(TINY, rng));
    const engine = await ParallelEngine.start(model, 2);
    const rows = randomRows(rng, 7, TINY.vocabSize, 6);
    const opts = { cT: 0.7, beta: 1, batchSize: 7, eps: new Float32Array(28).map(() => rng.normal()) };
    const par = await engine.compute(rows, opts);
    const one = lossAndGrads(model.params, TINY, rows, opts);
    expect(par.stats.lossSum).toBeCloseTo(one.stats.lossSum, 4);
    for (const [name, g] of one.grads) {
      const a = g.dataSync();
      const b = par.grads.get(name)!.dataSync();
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
      expect(maxDiff, name).toBeLessThan(1e-6);
    }
    tf.dispose([...one.grads.values(), ...par.grads.values()]);
    await engine.dispose();
    model.dispose();
  });
});

describe('resume', () => {
  it('an interrupted run resumed from its checkpoint ends bit-for-bit equal to an uninterrupted run', async () => {
    const ds = tinyDataset(40);
    const base = { embeddingDim: 8, hiddenDim: 12, latentDim: 4, batchSize: 8, epochs: 3, c: 2, cSteps: 7, lr: 3e-3, seed: 11 };
    const quiet = { log: () => {}, onProgress: () => {}, dataset: ds, skipTest: true };
    const full = await trainModel(resolveTrainConfig({ source: 'test', values: { ...base, outDir: tmp() } }), quiet);
    const outDir = tmp();
    const cfg = resolveTrainConfig({ source: 'test', values: { ...base, outDir } });
    const first = await trainModel(cfg, { ...quiet, maxSteps: 7 }); // stops mid-epoch 2 (5 batches per epoch)
    expect(first.interrupted).toBe(true);
    expect(first.steps).toBe(7);
    const second = await trainModel(cfg, { ...quiet, resume: true });
    expect(second.interrupted).toBe(false);
    expect(second.steps).toBe(full.steps);
    const a = loadCheckpoint(full.checkpoint);
    const b = loadCheckpoint(second.checkpoint);
    for (const [name, t] of Object.entries(a.weights)) {
      expect(Array.from(b.weights[name as keyof typeof a.weights]!.data), name).toEqual(Array.from(t.data));
    }
    expect(b.state.history.map((h) => h.train.loss)).toEqual(a.state.history.map((h) => h.train.loss));
  });
});

describe('overfitting a few sentences', () => {
  it('loss falls and greedy reconstruction from the mean equals the input', () => {
    const cfg = { ...TINY, hiddenDim: 32, embeddingDim: 16, latentDim: 8, posterior: 'iso' as const };
    const rng = new Rng(2);
    const model = new TfModel(cfg, initWeights(cfg, rng));
    const adam = new Adam(model.params, { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-7 });
    const rows = [[3, 4, 5, 6, 2], [7, 8, 9, 2], [10, 11, 12, 13, 14, 2], [15, 4, 16, 2]].map((r) => Int32Array.from(r));
    const losses: number[] = [];
    for (let s = 0; s < 250; s++) {
      const eps = new Float32Array(rows.length * cfg.latentDim).map(() => rng.normal());
      const { grads, stats } = lossAndGrads(model.params, cfg, rows, { cT: 3, beta: 1, batchSize: rows.length, eps });
      adam.apply(model.params, grads);
      tf.dispose([...grads.values()]);
      losses.push(stats.recSum / rows.length);
    }
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.1);
    const { mean, logvar } = model.encode(padBatch(rows));
    const decoded = model.greedyDecode(mean, 10);
    expect(decoded).toEqual(rows.map((r) => Array.from(r.slice(0, -1))));
    tf.dispose([mean, logvar!]);
    adam.dispose();
    model.dispose();
  });
});
