import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig, TrainConfig } from '../core/config.ts';
import type { HostTensor, Weights } from '../core/weights.ts';
import { Adam } from './adam.ts';
import { initBackend } from './backend.ts';
import { createEngine, type EngineStart, type GradientEngine, type TrainEngine } from './engine.ts';
import { TfModel } from './model.ts';
import { lossAndGrads, type StepStats } from './step.ts';

/**
 * The tfjs engine (the reference): hand-written backward passes on tfjs (wasm, node or cpu backend), optional
 * data-parallel worker threads (`cfg.workers`), Keras Adam on tfjs variables. Bit-exact resume.
 */
export class TfjsTrainEngine implements TrainEngine {
  private disposed = false;

  private constructor(
    readonly label: string,
    private readonly model: TfModel,
    private readonly adam: Adam,
    private readonly grads: GradientEngine,
  ) {}

  /** Start on `cfg.backend` with `cfg.workers` gradient workers. */
  static async create(cfg: TrainConfig, modelCfg: ModelConfig, start: EngineStart): Promise<TfjsTrainEngine> {
    const backend = await initBackend(cfg.backend);
    const model = new TfModel(modelCfg, start.weights);
    const adam = new Adam(model.params, { lr: cfg.lr, beta1: 0.9, beta2: 0.999, eps: cfg.adamEps });
    if (start.optimizer) adam.restore(start.optimizer.step, start.optimizer.tensors);
    const grads = await createEngine(model, cfg);
    return new TfjsTrainEngine(`tfjs-${backend}${cfg.workers > 1 ? ` (${cfg.workers} workers)` : ''}`, model, adam, grads);
  }

  async step(rows: Int32Array[], o: { cT: number; beta: number; eps: Float32Array }): Promise<StepStats> {
    const { grads, stats } = await this.grads.compute(rows, { cT: o.cT, beta: o.beta, batchSize: rows.length, eps: o.eps });
    this.adam.apply(this.model.params, grads);
    tf.dispose([...grads.values()]);
    await this.grads.afterUpdate();
    return stats;
  }

  async forward(rows: Int32Array[], o: { cT: number; beta: number; eps: Float32Array }): Promise<{ stats: StepStats; mean: Float32Array }> {
    const { stats, mean } = lossAndGrads(this.model.params, this.model.cfg, rows, { cT: o.cT, beta: o.beta, batchSize: rows.length, eps: o.eps, forwardOnly: true });
    return { stats, mean };
  }

  weights(): Weights {
    return this.model.toWeights();
  }

  optimizerState(): Map<string, HostTensor> {
    return new Map(this.adam.stateTensors());
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.grads.dispose();
    this.adam.dispose();
    this.model.dispose();
  }
}
