import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { modelConfigOf, type ModelConfig, type TrainConfig } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { checkpointDir, loadCheckpoint, saveCheckpoint, type EpochRecord, type TrainState } from './checkpoint.ts';
import { prepareRunDir } from './run-dir.ts';
import { formatDataReport, loadDataset, type Dataset } from './data/index.ts';
import { createTrainEngine, type TrainEngine } from './engine.ts';
import { initWeights } from './init.ts';
import { evaluateWithEngine, type SplitMetrics } from './metrics.ts';
import { ProgressBar, type ProgressInfo } from './progress.ts';
import { annealedBeta, targetKl } from './schedule.ts';

/** Options of `trainModel` beyond the config. */
export interface TrainOptions {
  /**
   * Continue from `<outDir>/checkpoint` (bit-for-bit the same as an uninterrupted run): true = it must exist
   * (E_CHECKPOINT otherwise), 'if-present' = start fresh when there is none. Default false: a directory that
   * holds a checkpoint is refused (E_RUN_EXISTS) unless `overwrite` (see run-dir.ts).
   */
  resume?: boolean | 'if-present';
  /** Start from scratch even if `<outDir>` holds a checkpoint (replaced at the first save). Default false. */
  overwrite?: boolean;
  /** The command line that started training (saved in the checkpoint and the exported manifest). */
  command?: string;
  /** Receives one human-readable line per event (default: stderr). */
  log?: (line: string) => void;
  /** Receives progress after every step (default: a progress bar on stderr). */
  onProgress?: (p: ProgressInfo) => void;
  /** Stop cleanly (checkpoint written) when aborted, e.g. on Ctrl-C. */
  signal?: AbortSignal;
  /** Stop after this many optimiser steps in this call (tests simulate an interruption with it). */
  maxSteps?: number;
  /** A dataset already loaded (skips `loadDataset`; it must match the config). */
  dataset?: Dataset;
  /** Skip the final test evaluation. */
  skipTest?: boolean;
}

/** What `trainModel` returns. */
export interface TrainResult {
  runDir: string;
  checkpoint: string;
  /** The engine that trained, e.g. `ort-cpu (2 threads)` or `tfjs-wasm`. */
  backend: string;
  model: ModelConfig;
  history: EpochRecord[];
  /** Final test metrics (absent when interrupted or skipped). */
  test?: SplitMetrics;
  interrupted: boolean;
  steps: number;
}

/** Rows of the training split actually used: a seeded subset when trainFraction < 1 or maxTrainSentences > 0. */
export function trainingRows(ds: Dataset, cfg: TrainConfig): Int32Array[] {
  let n = ds.train.ids.length;
  if (cfg.trainFraction < 1) n = Math.max(1, Math.round(n * cfg.trainFraction));
  if (cfg.maxTrainSentences > 0) n = Math.min(n, cfg.maxTrainSentences);
  if (n === ds.train.ids.length) return ds.train.ids;
  const perm = new Rng(cfg.seed + 0x5eed).permutation(ds.train.ids.length);
  return perm.slice(0, n).sort((a, b) => a - b).map((i) => ds.train.ids[i]!);
}

/**
 * Train a VAE (IGP/DGP) or AE with the paper's objective and loop (protocol §3): per-example β|KL − C_t| + rec,
 * batch mean; C warm-up; Keras Adam; per-epoch seeded shuffle; validation each epoch; a checkpoint every
 * epoch (and on abort), written atomically; the final weights are evaluated on the test split.
 */
export async function trainModel(cfg: TrainConfig, opts: TrainOptions = {}): Promise<TrainResult> {
  const log = opts.log ?? ((line: string) => process.stderr.write(line + '\n'));
  const runDir = resolve(cfg.outDir);
  const ckDir = checkpointDir(runDir);
  const mode = prepareRunDir(ckDir, { resume: opts.resume ?? false, overwrite: opts.overwrite ?? false, log }); // before the (slow) data load
  const ds = opts.dataset ?? (await loadDataset(cfg.data, { vocabWords: cfg.vocabWords, maxLen: cfg.maxLen, seed: cfg.dataSeed }));
  if (!opts.dataset) log(formatDataReport(ds.report));
  const modelCfg = modelConfigOf(cfg, ds.vocab.size);
  const rows = trainingRows(ds, cfg);
  // Evenly strided subset when capped, so every part of a split ordered by class or genre is represented.
  const cap = (r: Int32Array[]) => {
    if (cfg.maxEvalSentences <= 0 || r.length <= cfg.maxEvalSentences) return r;
    const stride = r.length / cfg.maxEvalSentences;
    return Array.from({ length: cfg.maxEvalSentences }, (_, i) => r[Math.floor(i * stride)]!);
  };
  const validRows = cap(ds.valid.ids);
  const testRows = cap(ds.test.ids);
  const maxLen = cfg.maxLen + 1;

  let state: TrainState;
  const resumed = mode === 'resume' ? loadCheckpoint(ckDir, { optimizer: true }) : null;
  if (resumed) {
    if (resumed.vocab.toText() !== ds.vocab.toText()) {
      throw new IsovaeError('E_CHECKPOINT', `${ckDir}: its vocabulary differs from the one built from the data now; resume with the same data and config, or start a new --out directory.`);
    }
    state = resumed.state;
    log(`resuming ${ckDir} at epoch ${state.epoch + 1}, batch ${state.batchInEpoch + 1}, step ${state.step}${resumed.backend ? ` (written by ${resumed.backend})` : ''}`);
  } else {
    state = {
      epoch: 0, batchInEpoch: 0, step: 0, history: [], finished: false, epochSums: { loss: 0, kl: 0, rec: 0, n: 0, tokens: 0 },
      shuffleRngAtEpochStart: new Rng(cfg.seed + 1).state(),
      noiseRng: new Rng(cfg.seed + 2).state(),
    };
  }
  const engine: TrainEngine = await createTrainEngine(cfg, modelCfg, {
    weights: resumed ? resumed.weights : initWeights(modelCfg, new Rng(cfg.seed)),
    optimizer: resumed?.optimizer ? { step: resumed.state.step, tensors: resumed.optimizer } : null,
    log,
  });
  const backend = engine.label;
  log(`engine ${backend}; ${cfg.posterior} C=${cfg.c}; V=${modelCfg.vocabSize} E=${cfg.embeddingDim} H=${cfg.hiddenDim} K=${cfg.latentDim}; ${rows.length} training sentences`);
  const checkpointOf = (metrics?: SplitMetrics) => ({
    train: cfg, model: modelCfg, maxLen, vocab: ds.vocab, weights: engine.weights(), optimizer: engine.optimizerState(), state,
    dataset: { name: ds.name, classes: ds.classes, sizes: { train: rows.length, valid: ds.valid.ids.length, test: ds.test.ids.length } },
    command: opts.command ?? '', backend, ...(metrics ? { metrics: { ...metrics } as unknown as Record<string, number> } : {}),
  });
  const save = () => saveCheckpoint(ckDir, checkpointOf());
  // Early stopping keeps the best epoch's weights next to the checkpoint (weights only; no optimiser state).
  const bestDir = join(runDir, 'best-checkpoint');
  const evalOpts = (seed: number) => ({ c: cfg.c, beta: cfg.beta, batchSize: cfg.batchSize, seed });

  const bar = opts.onProgress ? null : new ProgressBar();
  const progress = opts.onProgress ?? ((p: ProgressInfo) => bar!.update(p));
  const batchesPerEpoch = Math.ceil(rows.length / cfg.batchSize);
  const totalSteps = batchesPerEpoch * cfg.epochs;
  const noise = Rng.fromState(state.noiseRng);
  let interrupted = false;
  let stepsThisCall = 0;
  const t0 = performance.now();
  try {
    while (state.epoch < cfg.epochs) {
      const perm = Rng.fromState(state.shuffleRngAtEpochStart).permutation(rows.length);
      let sums = { ...state.epochSums };
      const epochStart = performance.now();
      let stepsInEpoch = 0;
      let tokensThisCall = 0; // tokens/s counts only work done since this call started the epoch
      for (let bi = state.batchInEpoch; bi < batchesPerEpoch; bi++) {
        await new Promise<void>((r) => setImmediate(r)); // let Ctrl-C reach its handler: one worker never yields otherwise
        if (opts.signal?.aborted || (opts.maxSteps !== undefined && stepsThisCall >= opts.maxSteps)) {
          interrupted = true;
          break;
        }
        const batch = perm.slice(bi * cfg.batchSize, (bi + 1) * cfg.batchSize).map((i) => rows[i]!);
        const step = state.step + 1;
        const eps = new Float32Array(batch.length * cfg.latentDim);
        for (let i = 0; i < eps.length; i++) eps[i] = noise.normal();
        const stats = await engine.step(batch, { cT: targetKl(cfg.c, step, cfg.cSteps), beta: annealedBeta(cfg.beta, step, cfg.klAnnealSteps), eps });
        state.step = step;
        state.batchInEpoch = bi + 1;
        state.noiseRng = noise.state();
        stepsThisCall++;
        stepsInEpoch++;
        sums = { loss: sums.loss + stats.lossSum, kl: sums.kl + stats.klSum, rec: sums.rec + stats.recSum, n: sums.n + stats.rows, tokens: sums.tokens + stats.tokens };
        state.epochSums = sums;
        tokensThisCall += stats.tokens;
        const elapsed = (performance.now() - epochStart) / 1000;
        const tps = tokensThisCall / Math.max(1e-9, elapsed);
        const stepsLeft = totalSteps - state.step;
        progress({
          epoch: state.epoch + 1, epochs: cfg.epochs, batch: bi + 1, batches: batchesPerEpoch,
          loss: sums.loss / sums.n, kl: sums.kl / sums.n, rec: sums.rec / sums.n, tokensPerSecond: tps,
          etaSeconds: (stepsLeft * elapsed) / Math.max(1, stepsInEpoch),
        });
      }
      if (interrupted) break;
      bar?.done();
      const valid = await evaluateWithEngine(engine, modelCfg, validRows, evalOpts(cfg.seed + 3));
      const tps = tokensThisCall / Math.max(1e-9, (performance.now() - epochStart) / 1000);
      const rec: EpochRecord = {
        epoch: state.epoch + 1, step: state.step, tokensPerSecond: tps,
        train: { loss: sums.loss / Math.max(1, sums.n), kl: sums.kl / Math.max(1, sums.n), rec: sums.rec / Math.max(1, sums.n) },
        valid: { loss: valid.loss, kl: valid.kl, rec: valid.rec },
      };
      state.history.push(rec);
      log(`epoch ${rec.epoch}/${cfg.epochs}: train loss ${rec.train.loss.toFixed(2)} kl ${rec.train.kl.toFixed(2)} rec ${rec.train.rec.toFixed(2)} | valid loss ${valid.loss.toFixed(2)} kl ${valid.kl.toFixed(2)} rec ${valid.rec.toFixed(2)} AU ${valid.au} | ${Math.round(tps)} tok/s`);
      let stop = false;
      if (cfg.patience > 0 && state.step >= cfg.cSteps) {
        // Only epochs that end at the target C compete: before it, |KL − C| measures the ramp, not the model.
        if (!state.best || valid.loss < state.best.validLoss) {
          state.best = { epoch: rec.epoch, step: state.step, validLoss: valid.loss };
          saveCheckpoint(bestDir, { ...checkpointOf(), optimizer: null });
          log(`epoch ${rec.epoch}: best validation loss so far (${valid.loss.toFixed(2)}); weights kept in ${bestDir}`);
        } else if (rec.epoch - state.best.epoch >= cfg.patience) {
          stop = rec.epoch < cfg.epochs;
          if (stop) log(`early stopping after epoch ${rec.epoch}: no better validation loss for ${cfg.patience} epochs; the final model is epoch ${state.best.epoch}'s (valid loss ${state.best.validLoss.toFixed(2)})`);
        }
      }
      // The next epoch's permutation comes from the shuffle stream continued past this epoch's draw.
      const shuffle = Rng.fromState(state.shuffleRngAtEpochStart);
      shuffle.permutation(rows.length);
      state.shuffleRngAtEpochStart = shuffle.state();
      state.epoch += 1;
      state.batchInEpoch = 0;
      state.epochSums = { loss: 0, kl: 0, rec: 0, n: 0, tokens: 0 };
      if (stop) {
        state.stoppedAfterEpoch = rec.epoch;
        break; // the final save below marks the run finished
      }
      save();
    }
    bar?.done();
    if (interrupted) {
      save();
      log(`stopped at epoch ${state.epoch + 1}, batch ${state.batchInEpoch}; checkpoint written to ${ckDir} (continue with --resume)`);
      return { runDir, checkpoint: ckDir, backend, model: modelCfg, history: state.history, interrupted, steps: state.step };
    }
    state.finished = true;
    // Early stopping: the final model is the best epoch's (unless that is the last epoch, whose weights the engine holds).
    const lastEpoch = state.history[state.history.length - 1]?.epoch ?? 0;
    const useBest = cfg.patience > 0 && state.best !== undefined && state.best.epoch !== lastEpoch;
    let finalEngine = engine;
    if (useBest) {
      if (!existsSync(bestDir)) {
        throw new IsovaeError('E_CHECKPOINT', `${bestDir} is missing: the best epoch's weights (epoch ${state.best!.epoch}) are needed as the final model; restore it, or re-train with --overwrite.`);
      }
      const best = loadCheckpoint(bestDir);
      finalEngine = await createTrainEngine(cfg, modelCfg, { weights: best.weights, optimizer: null, log });
      log(`final model: epoch ${state.best!.epoch}'s weights (best validation loss ${state.best!.validLoss.toFixed(2)})`);
    }
    let test: SplitMetrics | undefined;
    try {
      if (!opts.skipTest) {
        test = await evaluateWithEngine(finalEngine, modelCfg, testRows, evalOpts(cfg.seed + 4));
        log(`test: rec ${test.rec.toFixed(2)}  kl ${test.kl.toFixed(2)}  AU ${test.au}/${cfg.latentDim}  (${test.sentences} sentences, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
      // With the best epoch's weights the last step's Adam moments no longer belong to them: none are saved.
      saveCheckpoint(ckDir, { ...checkpointOf(test), weights: finalEngine.weights(), ...(useBest ? { optimizer: null } : {}) });
    } finally {
      if (finalEngine !== engine) await finalEngine.dispose();
    }
    rmSync(bestDir, { recursive: true, force: true }); // the final checkpoint holds those weights now
    return { runDir, checkpoint: ckDir, backend, model: modelCfg, history: state.history, ...(test ? { test } : {}), interrupted, steps: state.step };
  } finally {
    await engine.dispose();
  }
}
