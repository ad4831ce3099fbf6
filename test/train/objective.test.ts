import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { initBackend } from '../../train/backend.ts';
import { encodeRows } from '../../train/encode.ts';
import { initWeights } from '../../train/init.ts';
import { klPerExample } from '../../train/kl.ts';
import { padBatch, TfModel } from '../../train/model.ts';
import { annealedBeta, targetKl } from '../../train/schedule.ts';
import { lossAndGrads } from '../../train/step.ts';
import { randomRows, TINY } from './helpers.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('KL formulas (hand-computed references)', () => {
  it('DGP: ½ Σ (μ² + e^ℓ − 1 − ℓ)', () => {
    // Example 1: μ = (1, 2), ℓ = (0, ln 2): ½[(1 + 1 − 1 − 0) + (4 + 2 − 1 − ln 2)] = ½(6 − ln 2) = 2.65342640972
    // Example 2: μ = (0, 0), ℓ = (0, 0): 0 (the prior itself)
    const kl = klPerExample([1, 2, 0, 0], [0, Math.LN2, 0, 0], 2, 2, 'diag');
    expect(kl[0]).toBeCloseTo(2.65342640972, 10);
    expect(kl[1]).toBe(0);
  });
  it('IGP: ½ (‖μ‖² + K e^ℓ − K − K ℓ) with one ℓ shared by the K dims', () => {
    // μ = (1, 0, −1), ℓ = −1, K = 3: ½[2 + 3e^{−1} − 3 + 3] = ½(2 + 1.10363832351) = 1.55181916176
    const kl = klPerExample([1, 0, -1], [-1], 1, 3, 'iso');
    expect(kl[0]).toBeCloseTo(1.55181916176, 10);
    // equals the DGP formula with ℓ repeated in every dimension
    expect(klPerExample([1, 0, -1], [-1, -1, -1], 1, 3, 'diag')[0]).toBeCloseTo(kl[0]!, 12);
  });
  it('the training step reports the same KL as the formula on its own means and log-variances', () => {
    const cfg = { ...TINY, posterior: 'diag' as const };
    const rng = new Rng(3);
    const model = new TfModel(cfg, initWeights(cfg, rng));
    const rows = randomRows(rng, 4, cfg.vocabSize, 5);
    const { mean, logvar } = model.encode(padBatch(rows));
    const expected = klPerExample(mean.dataSync(), logvar!.dataSync(), 4, cfg.latentDim, 'diag').reduce((a, b) => a + b, 0);
    const { stats, grads } = lossAndGrads(model.params, cfg, rows, { cT: 0, beta: 1, batchSize: 4, eps: new Float32Array(16), forwardOnly: true });
    expect(stats.klSum).toBeCloseTo(expected, 5);
    expect(grads.size).toBe(0);
    tf.dispose([mean, logvar!]);
    model.dispose();
  });
});

describe('C warm-up and KL annealing', () => {
  it('ramps C linearly over the first cSteps steps (step counter starts at 1), then holds it', () => {
    expect(targetKl(5, 1, 5000)).toBeCloseTo(0.001, 12);
    expect(targetKl(5, 2500, 5000)).toBeCloseTo(2.5, 12);
    expect(targetKl(5, 5000, 5000)).toBe(5);
    expect(targetKl(5, 5001, 5000)).toBe(5);
    expect(targetKl(50, 100000, 5000)).toBe(50);
    expect(targetKl(0, 10, 5000)).toBe(0); // C = 0: plain ELBO-style |KL|
    expect(targetKl(15, 7, 0)).toBe(15); // no ramp
  });
  it('KL annealing scales β from 0 to β, and is off at 0 steps', () => {
    expect(annealedBeta(1, 50, 100)).toBe(0.5);
    expect(annealedBeta(2, 300, 100)).toBe(2);
    expect(annealedBeta(1, 1, 0)).toBe(1);
  });
});

describe('padding and the IGP posterior', () => {
  it('padding does not change per-example losses: a row alone equals the same row in a wider batch', () => {
    const rng = new Rng(5);
    const model = new TfModel(TINY, initWeights(TINY, rng));
    const short = new Int32Array([4, 5, 2]);
    const long = new Int32Array([6, 7, 8, 9, 10, 11, 2]);
    const eps = new Float32Array(8).map(() => rng.normal());
    const o = { cT: 0.5, beta: 1, batchSize: 1, forwardOnly: true };
    const alone = lossAndGrads(model.params, TINY, [short], { ...o, eps: eps.slice(0, 4) }).stats;
    const longAlone = lossAndGrads(model.params, TINY, [long], { ...o, eps: eps.slice(4) }).stats;
    const both = lossAndGrads(model.params, TINY, [short, long], { ...o, eps }).stats;
    expect(both.recSum).toBeCloseTo(alone.recSum + longAlone.recSum, 4);
    expect(both.klSum).toBeCloseTo(alone.klSum + longAlone.klSum, 5);
    expect(both.lossSum).toBeCloseTo(alone.lossSum + longAlone.lossSum, 4);
    model.dispose();
  });

  it('encoder means do not change with extra padding columns (reference and fast encoders agree)', () => {
    const rng = new Rng(6);
    const model = new TfModel(TINY, initWeights(TINY, rng));
    const rows = randomRows(rng, 5, TINY.vocabSize, 6);
    const tight = model.encode(padBatch(rows));
    const wide = model.encode(padBatch(rows, 12));
    const fast = encodeRows(model.params, TINY, rows, 2); // batches of 2: other padding widths again
    const a = tight.mean.dataSync();
    const b = wide.mean.dataSync();
    let maxDiff = 0;
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!), Math.abs(a[i]! - fast.mean[i]!));
    expect(maxDiff).toBeLessThan(1e-6);
    tf.dispose([tight.mean, tight.logvar!, wide.mean, wide.logvar!]);
    model.dispose();
  });

  it('IGP log-variance is one value repeated across all K dimensions; DGP has K different ones', () => {
    const rng = new Rng(8);
    for (const posterior of ['iso', 'diag'] as const) {
      const cfg = { ...TINY, posterior };
      const model = new TfModel(cfg, initWeights(cfg, rng));
      const enc = encodeRows(model.params, cfg, randomRows(rng, 3, cfg.vocabSize, 5));
      const lv = enc.logvar!;
      let spread = 0;
      for (let r = 0; r < 3; r++) for (let k = 1; k < cfg.latentDim; k++) spread = Math.max(spread, Math.abs(lv[r * cfg.latentDim + k]! - lv[r * cfg.latentDim]!));
      if (posterior === 'iso') expect(spread).toBe(0);
      else expect(spread).toBeGreaterThan(1e-4);
      model.dispose();
    }
  });
});
