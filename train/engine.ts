import type * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, TrainConfig } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import type { HostTensor, WeightName, Weights } from '../core/weights.ts';
import type { TfModel } from './model.ts';
import { lossAndGrads, type StepOptions, type StepStats } from './step.ts';

/** Training engines: `ort` (onnxruntime-node graphs, the default) and `tfjs` (the reference). */
export type EngineName = 'ort' | 'tfjs';
export const ENGINES: readonly EngineName[] = ['ort', 'tfjs'];

/**
 * One training engine: owns the parameters and the optimiser state of a run and takes whole optimiser steps.
 * The trainer loop, data pipeline, checkpoint format and progress bar are the same for every engine; weights and
 * Adam moments cross the seam as host tensors (Keras layout, names of core/weights.ts; `m/<w>`, `v/<w>`), so a
 * checkpoint written by one engine resumes on the other.
 */
export interface TrainEngine {
  /** What runs the math, for logs and checkpoints, e.g. `ort-cpu (2 threads)` or `tfjs-wasm`. */
  readonly label: string;
  /**
   * One optimiser step on `rows` (word ids + EOS each): forward, backward of the batch-mean loss
   * (1/B) Σ_b [β|KL_b − C_t| + rec_b], Keras Adam update. `eps` is the noise [B*K]. Returns the batch sums.
   */
  step(rows: Int32Array[], o: { cT: number; beta: number; eps: Float32Array }): Promise<StepStats>;
  /**
   * Forward pass only, with z = mean + std·eps (`eps` [B*K]; zeros give z = mean): the batch sums (loss with
   * target `cT`) and the posterior means [B*K] row-major.
   */
  forward(rows: Int32Array[], o: { cT: number; beta: number; eps: Float32Array }): Promise<{ stats: StepStats; mean: Float32Array }>;
  /** Host copies of every weight. */
  weights(): Weights;
  /** Host copies of the Adam moments (`m/<weight>`, `v/<weight>`). */
  optimizerState(): Map<string, HostTensor>;
  /** Release sessions, workers and tensors (idempotent). */
  dispose(): Promise<void>;
}

/** Where an engine starts: initial (or checkpointed) weights, and the optimiser state to resume from. */
export interface EngineStart {
  weights: Weights;
  /** Adam moments and step count from a checkpoint; null = fresh optimiser. */
  optimizer: { step: number; tensors: Map<string, HostTensor> } | null;
  /** Warnings (provider fallback, ignored options). */
  log: (line: string) => void;
}

/** Create the engine `cfg.engine` (default `ort`) for a model; throws E_CONFIG for an unknown name. */
export async function createTrainEngine(cfg: TrainConfig, model: ModelConfig, start: EngineStart): Promise<TrainEngine> {
  if (cfg.engine === 'ort') {
    const { OrtTrainEngine } = await import('./ort/engine.ts');
    return OrtTrainEngine.create(cfg, model, start);
  }
  if (cfg.engine === 'tfjs') {
    const { TfjsTrainEngine } = await import('./tfjs-engine.ts');
    return TfjsTrainEngine.create(cfg, model, start);
  }
  throw new IsovaeError('E_CONFIG', `engine "${String(cfg.engine)}" is unknown; use ${ENGINES.join(' or ')}.`);
}

/**
 * Computes the loss and gradients of one batch with the current tfjs parameters (inside the tfjs engine). The
 * local engine runs on this thread; the parallel engine (parallel.ts) splits each batch across worker threads
 * (one tfjs-wasm each).
 */
export interface GradientEngine {
  /** Gradients of the batch-mean loss for `rows` (the caller applies and disposes them). */
  compute(rows: Int32Array[], opts: StepOptions): Promise<{ grads: Map<WeightName, tf.Tensor>; stats: StepStats }>;
  /** Called after every optimiser update (the parallel engine ships the new weights to its workers). */
  afterUpdate(): Promise<void>;
  /** Stop workers, release memory. */
  dispose(): Promise<void>;
}

/** tfjs gradient engine for `cfg.workers` (1 = this thread only). */
export async function createEngine(model: TfModel, cfg: Pick<TrainConfig, 'workers'>): Promise<GradientEngine> {
  if (cfg.workers > 1) {
    const { ParallelEngine } = await import('./parallel.ts');
    return ParallelEngine.start(model, cfg.workers);
  }
  return {
    compute: async (rows, opts) => lossAndGrads(model.params, model.cfg, rows, opts),
    afterUpdate: async () => {},
    dispose: async () => {},
  };
}
