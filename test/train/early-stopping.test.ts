/**
 * Early stopping (config `patience`): training stops once the validation loss has not improved for `patience`
 * epochs after the C warm-up, and the final model is the best epoch's. Checked on a tiny model that overfits 16
 * random sentences with a large learning rate, so its validation loss must turn upwards.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modelConfigOf, resolveTrainConfig } from '../../core/config.ts';
import { loadCheckpoint } from '../../train/checkpoint.ts';
import { createTrainEngine } from '../../train/engine.ts';
import { evaluateWithEngine } from '../../train/metrics.ts';
import { trainModel } from '../../train/trainer.ts';
import { tinyDataset } from './helpers.ts';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'isovae-early-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('early stopping', () => {
  const ds = tinyDataset(16, 5);
  const base = { embeddingDim: 8, hiddenDim: 16, latentDim: 4, batchSize: 8, epochs: 40, c: 2, cSteps: 4, lr: 0.03, seed: 3, patience: 2 };
  const quiet = { log: () => {}, onProgress: () => {}, dataset: ds };

  it('stops after `patience` epochs without a better validation loss and keeps the best epoch as the final model', async () => {
    const outDir = tmp();
    const cfg = resolveTrainConfig({ source: 'test', values: { ...base, outDir } });
    const r = await trainModel(cfg, quiet);
    const ck = loadCheckpoint(r.checkpoint);
    const { best, stoppedAfterEpoch, history } = ck.state;
    expect(ck.state.finished).toBe(true);
    expect(best).toBeDefined();
    expect(stoppedAfterEpoch).toBeDefined();
    expect(stoppedAfterEpoch!).toBeLessThan(cfg.epochs);
    expect(stoppedAfterEpoch! - best!.epoch).toBe(cfg.patience);
    expect(history).toHaveLength(stoppedAfterEpoch!);
    // The best epoch is the minimum of the validation loss among the epochs that ended at the target C.
    const eligible = history.filter((h) => h.step >= cfg.cSteps);
    const minLoss = Math.min(...eligible.map((h) => h.valid.loss));
    expect(best!.validLoss).toBe(minLoss);
    expect(history[best!.epoch - 1]!.valid.loss).toBe(minLoss);
    // The final weights are that epoch's: re-scoring them on the validation split (same seed as the trainer's
    // per-epoch validation) gives back the loss recorded for the best epoch, not the last one.
    const engine = await createTrainEngine(cfg, modelConfigOf(cfg, ds.vocab.size), { weights: ck.weights, optimizer: null, log: () => {} });
    try {
      const v = await evaluateWithEngine(engine, ck.model, ds.valid.ids, { c: cfg.c, beta: cfg.beta, batchSize: cfg.batchSize, seed: cfg.seed + 3 });
      expect(Math.abs(v.loss - best!.validLoss) / best!.validLoss).toBeLessThan(1e-5);
      expect(Math.abs(v.loss - history[history.length - 1]!.valid.loss)).toBeGreaterThan(1e-3);
    } finally {
      await engine.dispose();
    }
    // The best weights' folder is folded into the final checkpoint, which keeps no Adam state for them.
    expect(existsSync(join(outDir, 'best-checkpoint'))).toBe(false);
    expect(loadCheckpoint(r.checkpoint, { optimizer: true }).optimizer).toBeNull();
    expect(r.test?.loss).toBeCloseTo(ck.metrics!.loss!, 6);
  });

  it('an interruption after a best epoch was kept resumes to the same final model as an uninterrupted run', async () => {
    const full = await trainModel(resolveTrainConfig({ source: 'test', values: { ...base, outDir: tmp() } }), { ...quiet, skipTest: true });
    const fullCk = loadCheckpoint(full.checkpoint);
    const outDir = tmp();
    const cfg = resolveTrainConfig({ source: 'test', values: { ...base, outDir } });
    // 2 batches an epoch: stop in the middle of the epoch after the best one, with best-checkpoint/ on disk.
    const stopAt = 2 * fullCk.state.best!.epoch + 1;
    const first = await trainModel(cfg, { ...quiet, skipTest: true, maxSteps: stopAt });
    expect(first.interrupted).toBe(true);
    expect(existsSync(join(outDir, 'best-checkpoint'))).toBe(true);
    const second = await trainModel(cfg, { ...quiet, skipTest: true, resume: true });
    expect(second.interrupted).toBe(false);
    const ck = loadCheckpoint(second.checkpoint);
    expect(ck.state.best).toEqual(fullCk.state.best);
    expect(ck.state.stoppedAfterEpoch).toBe(fullCk.state.stoppedAfterEpoch);
    for (const [name, t] of Object.entries(fullCk.weights)) {
      expect(Array.from(ck.weights[name as keyof typeof fullCk.weights]!.data), name).toEqual(Array.from(t.data));
    }
  });

  it('patience 0 (the default) trains every epoch', async () => {
    const cfg = resolveTrainConfig({ source: 'test', values: { ...base, epochs: 6, patience: 0, outDir: tmp() } });
    const r = await trainModel(cfg, { ...quiet, skipTest: true });
    const ck = loadCheckpoint(r.checkpoint);
    expect(ck.state.history).toHaveLength(6);
    expect(ck.state.best).toBeUndefined();
    expect(ck.state.stoppedAfterEpoch).toBeUndefined();
  });

  it('a negative or fractional patience is a config error naming the key', () => {
    expect(() => resolveTrainConfig({ source: 'test', values: { patience: -1 } })).toThrow(/patience/);
    expect(() => resolveTrainConfig({ source: 'test', values: { patience: 1.5 } })).toThrow(/patience/);
  });
});
