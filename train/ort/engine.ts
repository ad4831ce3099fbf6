import type { ModelConfig, TrainConfig } from '../../core/config.ts';
import { checkWeights, weightShapes, type HostTensor, type WeightName, type Weights } from '../../core/weights.ts';
import type { EngineStart, TrainEngine } from '../engine.ts';
import { HostAdam } from '../host-adam.ts';
import { batchStats, type StepStats } from '../step.ts';
import { OrtStepSessions } from './step-session.ts';

/**
 * The onnxruntime engine: the whole forward and hand-written backward pass of a step is one ONNX graph
 * (step-graph.ts) run by onnxruntime-node on all cores (or CUDA); the weights and Adam moments live on the host
 * as Float32Arrays and Keras Adam (host-adam.ts) updates them in place between runs.
 */
export class OrtTrainEngine implements TrainEngine {
  private disposed = false;

  private constructor(
    readonly label: string,
    private readonly cfg: ModelConfig,
    private readonly sessions: OrtStepSessions,
    private readonly params: Map<WeightName, Float32Array>,
    private readonly adam: HostAdam,
  ) {}

  /** Build the graphs and open them on `cfg.provider` with `cfg.threads` threads (0 = every core). */
  static async create(cfg: TrainConfig, modelCfg: ModelConfig, start: EngineStart): Promise<OrtTrainEngine> {
    checkWeights(modelCfg, start.weights, 'ort engine');
    if (cfg.workers > 1) start.log(`engine ort: --workers ${cfg.workers} is a tfjs-engine option and is ignored (onnxruntime uses ${cfg.threads || 'all'} threads).`);
    const params = new Map<WeightName, Float32Array>();
    for (const [name] of weightShapes(modelCfg)) params.set(name, start.weights[name]!.data.slice());
    const adam = new HostAdam(params, { lr: cfg.lr, beta1: 0.9, beta2: 0.999, eps: cfg.adamEps });
    if (start.optimizer) adam.restore(start.optimizer.step, start.optimizer.tensors);
    const sessions = await OrtStepSessions.create(modelCfg, { provider: cfg.provider, strict: cfg.strict, threads: cfg.threads, logger: { warn: start.log } });
    return new OrtTrainEngine(`ort-${sessions.provider} (${sessions.threads} threads)`, modelCfg, sessions, params, adam);
  }

  async step(rows: Int32Array[], o: { cT: number; beta: number; eps: Float32Array }): Promise<StepStats> {
    const out = await this.sessions.gradients(this.params, rows, { eps: o.eps, cT: o.cT, beta: o.beta, batchSize: rows.length });
    this.adam.apply(this.params, out.grads);
    return batchStats(out.nll, out.exampleOf, this.cfg.posterior === 'ae' ? null : out.kl, rows.length, o);
  }

  async forward(rows: Int32Array[], o: { cT: number; beta: number; eps: Float32Array }): Promise<{ stats: StepStats; mean: Float32Array }> {
    const out = await this.sessions.forward(this.params, rows, o.eps);
    return { stats: batchStats(out.nll, out.exampleOf, this.cfg.posterior === 'ae' ? null : out.kl, rows.length, o), mean: out.mean };
  }

  weights(): Weights {
    const w: Weights = {};
    for (const [name, shape] of weightShapes(this.cfg)) w[name] = { shape, data: this.params.get(name)!.slice() };
    return w;
  }

  optimizerState(): Map<string, HostTensor> {
    return new Map(this.adam.stateTensors(new Map(weightShapes(this.cfg))));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.sessions.release();
  }
}
