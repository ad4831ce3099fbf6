import type * as tf from '@tensorflow/tfjs-core';
import type { TrainConfig } from '../core/config.ts';
import type { WeightName } from '../core/weights.ts';
import type { TfModel } from './model.ts';
import { lossAndGrads, type StepOptions, type StepStats } from './step.ts';

/**
 * Computes the loss and gradients of one batch with the current parameters. The local engine runs on this
 * thread; the parallel engine (parallel.ts) splits each batch across worker threads (one tfjs-wasm each).
 */
export interface GradientEngine {
  /** Gradients of the batch-mean loss for `rows` (the caller applies and disposes them). */
  compute(rows: Int32Array[], opts: StepOptions): Promise<{ grads: Map<WeightName, tf.Tensor>; stats: StepStats }>;
  /** Called after every optimiser update (the parallel engine ships the new weights to its workers). */
  afterUpdate(): Promise<void>;
  /** Stop workers, release memory. */
  dispose(): Promise<void>;
}

/** Engine for `cfg.workers` (1 = this thread only). */
export async function createEngine(model: TfModel, cfg: TrainConfig): Promise<GradientEngine> {
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
