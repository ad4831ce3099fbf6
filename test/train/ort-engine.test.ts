/**
 * The onnxruntime training engine against the tfjs engine (the reference, itself tested against tfjs autodiff in
 * gradients.test.ts): gradients, loss curves, checkpoints across engines, provider fallback, leaks, bad names.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTrainConfig, type ModelConfig } from '../../core/config.ts';
import { Rng } from '../../core/rng.ts';
import { weightShapes, type WeightName, type Weights } from '../../core/weights.ts';
import { run as trainCli } from '../../cli/train.ts';
import { initBackend } from '../../train/backend.ts';
import { loadCheckpoint } from '../../train/checkpoint.ts';
import { HostAdam } from '../../train/host-adam.ts';
import { initWeights } from '../../train/init.ts';
import { TfModel } from '../../train/model.ts';
import { OrtStepSessions } from '../../train/ort/step-session.ts';
import { lossAndGrads } from '../../train/step.ts';
import { trainModel } from '../../train/trainer.ts';
import { countingOrt } from '../runtime/counting-ort.ts';
import { randomRows, tinyDataset } from './helpers.ts';

const roots: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'isovae-ort-engine-'));
  roots.push(d);
  return d;
};
afterAll(() => roots.forEach((d) => rmSync(d, { recursive: true, force: true })));
beforeAll(async () => {
  await initBackend('cpu');
});

/** Keras-initialised weights plus noise, so that every bias and every path carries a non-zero gradient. */
function noisyWeights(cfg: ModelConfig, seed: number): Weights {
  const rng = new Rng(seed);
  const w = initWeights(cfg, rng);
  for (const t of Object.values(w)) for (let i = 0; i < t!.data.length; i++) t!.data[i]! += 0.1 * rng.normal();
  return w;
}

/** Host copies of the weights, keyed by name (what the onnxruntime engine holds). */
const hostMap = (w: Weights) => new Map(Object.entries(w).map(([n, t]) => [n as WeightName, t!.data.slice()]));

/** max_i |a_i − b_i| / max_i |b_i|: the error relative to the size of the reference tensor. */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / Math.max(m, 1e-30);
}

describe('ort engine gradients equal the tfjs engine', () => {
  const shapes: Array<[number, number]> = [[5, 6], [3, 9], [7, 2]]; // rows x longest length; rows have random lengths (padded)
  it.each(['iso', 'diag', 'ae'] as const)('%s: every gradient, per-token nll and per-example KL, three batch shapes', async (posterior) => {
    const cfg: ModelConfig = { posterior, vocabSize: 23, embeddingDim: 8, hiddenDim: 12, latentDim: 4 };
    const w = noisyWeights(cfg, 7);
    const model = new TfModel(cfg, w);
    const sessions = await OrtStepSessions.create(cfg, { threads: 1 });
    const rng = new Rng(21);
    const worst: Record<string, number> = {};
    try {
      for (const [B, maxLen] of shapes) {
        const rows = randomRows(rng, B, cfg.vocabSize, maxLen);
        const eps = new Float32Array(B * cfg.latentDim).map(() => rng.normal());
        const opts = { cT: 0.7, beta: 1.3, batchSize: B + 2, eps }; // batchSize ≠ B: a shard of a larger batch
        const ref = lossAndGrads(model.params, cfg, rows, opts);
        const got = await sessions.gradients(hostMap(w), rows, { eps, cT: 0.7, beta: 1.3, batchSize: B + 2 });
        for (const [name] of weightShapes(cfg)) {
          const r = relDiff(got.grads.get(name)!, ref.grads.get(name)!.dataSync());
          worst[name] = Math.max(worst[name] ?? 0, r);
          expect(r, `${posterior} ${B}x${maxLen} ${name}`).toBeLessThanOrEqual(1e-4);
        }
        let recSum = 0;
        got.nll.forEach((v) => (recSum += v));
        expect(Math.abs(recSum - ref.stats.recSum) / ref.stats.recSum).toBeLessThanOrEqual(1e-5);
        expect(got.kl.reduce((a, v) => a + v, 0)).toBeCloseTo(ref.stats.klSum, 5);
        tf.dispose([...ref.grads.values()]);
      }
    } finally {
      await sessions.release();
      model.dispose();
    }
    console.log(`${posterior}: max relative difference per gradient (ort vs tfjs): ${Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')}`);
  });

  it('the evaluation graph gives the same nll, KL and posterior means as the training graph and TfModel.encode', async () => {
    const cfg: ModelConfig = { posterior: 'diag', vocabSize: 23, embeddingDim: 8, hiddenDim: 12, latentDim: 4 };
    const w = noisyWeights(cfg, 3);
    const sessions = await OrtStepSessions.create(cfg, { threads: 1 });
    const model = new TfModel(cfg, w);
    try {
      const rows = randomRows(new Rng(4), 6, cfg.vocabSize, 8);
      const eps = new Float32Array(6 * 4).map((_, i) => Math.sin(i));
      const fwd = await sessions.forward(hostMap(w), rows, eps);
      const train = await sessions.gradients(hostMap(w), rows, { eps });
      expect(relDiff(fwd.nll, train.nll)).toBeLessThanOrEqual(1e-6);
      expect(relDiff(fwd.kl, train.kl)).toBeLessThanOrEqual(1e-6);
      const T = Math.max(...rows.map((r) => r.length));
      const tokens = tf.tensor2d(rows.flatMap((r) => Array.from({ length: T }, (_, t) => r[t] ?? 0)), [6, T], 'int32');
      const ref = model.encode(tokens);
      expect(relDiff(fwd.mean, ref.mean.dataSync())).toBeLessThanOrEqual(1e-5);
      tf.dispose([tokens, ref.mean, ref.logvar!]);
    } finally {
      await sessions.release();
      model.dispose();
    }
  });
});

describe('training with the ort engine', () => {
  const ds = tinyDataset(160, 5);
  const base = { embeddingDim: 8, hiddenDim: 12, latentDim: 4, batchSize: 8, c: 2, cSteps: 60, lr: 3e-3, seed: 3 };
  const quiet = { log: () => {}, dataset: ds, skipTest: true };

  it('a 200-step run follows the tfjs engine\'s loss curve (<= 1% apart at every logged step)', async () => {
    const curve = async (engine: 'ort' | 'tfjs') => {
      const losses: number[] = [];
      const cfg = resolveTrainConfig({ source: 'test', values: { ...base, epochs: 10, engine, backend: 'wasm', outDir: tmp() } });
      const res = await trainModel(cfg, { ...quiet, onProgress: (p) => losses.push(p.loss) });
      expect(res.steps).toBe(200);
      return losses;
    };
    const ort = await curve('ort');
    const ref = await curve('tfjs');
    expect(ort.length).toBe(200);
    let worst = 0;
    ort.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref[i]!) / Math.abs(ref[i]!))));
    console.log(`200 steps: loss curves (running epoch means, logged every step) at most ${(100 * worst).toExponential(2)}% apart; final ${ort.at(-1)!.toFixed(4)} vs ${ref.at(-1)!.toFixed(4)}`);
    expect(worst).toBeLessThanOrEqual(0.01);
  });

  it('an interrupted ort run resumed from its checkpoint ends bit-for-bit equal to an uninterrupted one', async () => {
    const values = { ...base, epochs: 2, engine: 'ort', threads: 2 };
    const full = await trainModel(resolveTrainConfig({ source: 'test', values: { ...values, outDir: tmp() } }), { ...quiet, onProgress: () => {} });
    const cfg = resolveTrainConfig({ source: 'test', values: { ...values, outDir: tmp() } });
    const first = await trainModel(cfg, { ...quiet, onProgress: () => {}, maxSteps: 13 });
    expect(first.interrupted).toBe(true);
    const second = await trainModel(cfg, { ...quiet, onProgress: () => {}, resume: true });
    expect(second.steps).toBe(full.steps);
    const a = loadCheckpoint(full.checkpoint, { optimizer: true });
    const b = loadCheckpoint(second.checkpoint, { optimizer: true });
    for (const [name, t] of Object.entries(a.weights)) expect(Array.from(b.weights[name as WeightName]!.data), name).toEqual(Array.from(t.data));
    for (const [name, t] of a.optimizer!) expect(Array.from(b.optimizer!.get(name)!.data), name).toEqual(Array.from(t.data));
    expect(b.state.history).toEqual(a.state.history.map((h, i) => ({ ...h, tokensPerSecond: b.state.history[i]!.tokensPerSecond })));
  });

  it.each([['tfjs', 'ort'], ['ort', 'tfjs']] as const)('a %s checkpoint resumes on the %s engine (equal to an uninterrupted run up to float rounding)', async (from, to) => {
    const values = { ...base, epochs: 1, backend: 'wasm' };
    const full = await trainModel(resolveTrainConfig({ source: 'test', values: { ...values, engine: from, outDir: tmp() } }), { ...quiet, onProgress: () => {} });
    const outDir = tmp();
    await trainModel(resolveTrainConfig({ source: 'test', values: { ...values, engine: from, outDir } }), { ...quiet, onProgress: () => {}, maxSteps: 12 });
    const logs: string[] = [];
    const resumed = await trainModel(resolveTrainConfig({ source: 'test', values: { ...values, engine: to, outDir } }), { ...quiet, log: (l) => logs.push(l), onProgress: () => {}, resume: true });
    expect(resumed.steps).toBe(full.steps);
    expect(logs.join('\n')).toMatch(new RegExp(`resuming .* step 12 \\(written by ${from === 'ort' ? 'ort-cpu' : 'tfjs-'}`));
    expect(resumed.backend).toMatch(to === 'ort' ? /^ort-cpu/ : /^tfjs-/);
    const a = loadCheckpoint(full.checkpoint, { optimizer: true });
    const b = loadCheckpoint(resumed.checkpoint, { optimizer: true });
    let worst = 0;
    for (const [name, t] of Object.entries(a.weights)) worst = Math.max(worst, relDiff(b.weights[name as WeightName]!.data, t.data));
    expect(worst).toBeLessThanOrEqual(1e-3);
    expect(b.state.history[0]!.valid.loss).toBeCloseTo(a.state.history[0]!.valid.loss, 2);
  });
});

describe('ort engine resources and errors', () => {
  it('100 steps: two native sessions, released on dispose, and no RSS growth', async () => {
    const cfg: ModelConfig = { posterior: 'iso', vocabSize: 2003, embeddingDim: 32, hiddenDim: 64, latentDim: 8 };
    const { ort, counts } = countingOrt();
    const sessions = await OrtStepSessions.create(cfg, { ort, threads: 1 });
    const params = hostMap(initWeights(cfg, new Rng(1)));
    const adam = new HostAdam(params, { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-7 });
    const rng = new Rng(2);
    let rssAt10 = 0;
    for (let s = 1; s <= 100; s++) {
      const rows = randomRows(rng, 16, cfg.vocabSize, 12);
      const out = await sessions.gradients(params, rows, { eps: new Float32Array(16 * 8).map(() => rng.normal()), cT: 3, beta: 1 });
      adam.apply(params, out.grads);
      if (s === 10) rssAt10 = process.memoryUsage().rss;
    }
    const growthMb = (process.memoryUsage().rss - rssAt10) / 2 ** 20;
    console.log(`RSS growth from step 10 to step 100: ${growthMb.toFixed(1)} MB (each step returns ~${((2003 * 32 + 2003 * 64 + 2003) * 4 * 2 / 2 ** 20).toFixed(1)} MB of gradients)`);
    expect(counts.created).toBe(2);
    expect(counts.runs.size).toBe(1);
    expect([...counts.runs.values()][0]).toBe(100);
    expect(growthMb).toBeLessThan(48);
    await sessions.release();
    await sessions.release();
    expect(counts.released).toBe(2);
    await expect(sessions.gradients(params, randomRows(rng, 2, 20, 3), { eps: new Float32Array(16) })).rejects.toThrow(/after release/);
  });

  it('a CUDA request without the CUDA provider falls back to cpu with a warning, and fails with strict', async () => {
    const cfg: ModelConfig = { posterior: 'iso', vocabSize: 23, embeddingDim: 8, hiddenDim: 12, latentDim: 4 };
    const warnings: string[] = [];
    const s = await OrtStepSessions.create(cfg, { provider: 'cuda', logger: { warn: (m) => warnings.push(m) } });
    // No GPU on the machines this suite runs on: this checks the fallback path, not CUDA itself.
    expect(s.provider).toBe('cpu');
    expect(warnings.join('\n')).toMatch(/execution provider "cuda" is not available .*falling back/);
    await s.release();
    await expect(OrtStepSessions.create(cfg, { provider: 'cuda', strict: true })).rejects.toMatchObject({ code: 'E_PROVIDER' });
  });

  it('bad engine, provider and threads values get clear errors naming the key', async () => {
    expect(() => resolveTrainConfig({ source: 'test', values: { engine: 'torch' } })).toThrow(/config "engine": must be ort .* or tfjs \(got "torch"\)/);
    expect(() => resolveTrainConfig({ source: 'test', values: { provider: 'rocm' } })).toThrow(/config "provider": must be cpu or cuda/);
    expect(() => resolveTrainConfig({ source: 'test', values: { threads: 1.5 } })).toThrow(/config "threads": must be an integer/);
    await expect(trainCli(['--engine', 'pytorch'])).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringMatching(/engine/) });
    await expect(trainCli(['--provider', 'webgpu'])).rejects.toMatchObject({ code: 'E_CONFIG', message: expect.stringMatching(/provider/) });
  });
});
