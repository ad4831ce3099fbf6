import { availableParallelism } from 'node:os';
import * as ortNode from 'onnxruntime-node';
import type { ModelConfig } from '../../core/config.ts';
import { IsovaeError } from '../../core/errors.ts';
import { weightShapes, type WeightName } from '../../core/weights.ts';
import { nodePlatform } from '../../runtime/node.ts';
import { createWithFallback, resolveProviders } from '../../runtime/providers.ts';
import type { Logger, Ort, OrtSession, OrtTensor } from '../../runtime/types.ts';
import { inverseRows, layoutOf } from '../step.ts';
import { buildStepModel, gradName } from './step-graph.ts';

/** Execution providers the onnxruntime engine can train on (onnxruntime-node). */
export type TrainProvider = 'cpu' | 'cuda';

/** Options of the onnxruntime step sessions. */
export interface OrtStepOptions {
  /** Execution provider (default 'cpu'); 'cuda' falls back to cpu with a warning unless `strict`. */
  provider?: TrainProvider;
  /** Throw `IsovaeError('E_PROVIDER')` instead of falling back (default false). */
  strict?: boolean;
  /** onnxruntime intra-op threads; 0 or undefined = every core (`os.availableParallelism()`). */
  threads?: number;
  /** Warnings (provider fallback); default: console.warn. */
  logger?: Logger;
  /** Skip the backward graph (evaluation only; default false). */
  evalOnly?: boolean;
  /** The onnxruntime module (default onnxruntime-node; tests inject a counting wrapper). */
  ort?: Ort;
  /** Write onnxruntime's per-node profile of the training session to `<profile>_<date>.json` (bench:train --profile). */
  profile?: string;
}

/** Per-example results of one forward (and backward) pass. */
export interface StepOutputs {
  /** −log p(target) per target token, in the batch's time-major order (see `layoutOf`), nats. */
  nll: Float32Array;
  /** Per-example KL [B] (nats); zeros for the AE. */
  kl: Float32Array;
  /** Index of the example of each target token [N]. */
  exampleOf: Int32Array;
}

/** Per-call inputs of a step. */
export interface StepRunInput {
  /** Reparameterisation noise [B*K] row-major (zeros = z is the mean); ignored for the AE. */
  eps: Float32Array;
  /** Current target KL C_t and β (backward only). */
  cT?: number;
  beta?: number;
  /** Whole-batch size the loss is averaged over (backward only; default: rows.length). */
  batchSize?: number;
}

/**
 * The training and evaluation graphs of one model config on onnxruntime-node, run with host weights. Weights are
 * fed as inputs each run (wrapped, not copied); gradients come back as host Float32Arrays in Keras layout.
 * Call `release()` when done (the native sessions hold the graphs' memory arenas).
 */
export class OrtStepSessions {
  private released = false;

  private constructor(
    readonly cfg: ModelConfig,
    readonly provider: TrainProvider,
    readonly threads: number,
    private readonly ort: Ort,
    private readonly train: OrtSession | null,
    private readonly evaluate: OrtSession,
  ) {}

  /** Build both graphs for `cfg` and open them on the requested provider (with the runtime's fallback rules). */
  static async create(cfg: ModelConfig, opts: OrtStepOptions = {}): Promise<OrtStepSessions> {
    const requested = opts.provider ?? 'cpu';
    if (requested !== 'cpu' && requested !== 'cuda') {
      throw new IsovaeError('E_CONFIG', `provider "${String(requested)}" is not a training provider; use cpu or cuda.`);
    }
    const threads = opts.threads && opts.threads > 0 ? opts.threads : availableParallelism();
    if (!Number.isInteger(threads)) throw new IsovaeError('E_CONFIG', `threads must be an integer >= 0 (got ${opts.threads}).`);
    const logger = opts.logger ?? { warn: (m: string) => console.warn(m) };
    const order = resolveProviders(nodePlatform(), [requested], opts.strict ?? false, logger) as TrainProvider[];
    const trainBytes = opts.evalOnly ? null : buildStepModel(cfg, { backward: true });
    const evalBytes = buildStepModel(cfg, { backward: false });
    const ort = opts.ort ?? (ortNode as unknown as Ort);
    const { provider, value } = await createWithFallback(order, opts.strict ?? false, logger, async (p) => {
      const so: Parameters<Ort['InferenceSession']['create']>[1] = {
        executionProviders: [p], graphOptimizationLevel: 'all', intraOpNumThreads: threads, interOpNumThreads: 1,
        executionMode: 'sequential', logSeverityLevel: 3,
      };
      const evaluate = await ort.InferenceSession.create(evalBytes, so);
      try {
        const train = trainBytes ? await ort.InferenceSession.create(trainBytes, opts.profile ? { ...so, enableProfiling: true, profileFilePrefix: opts.profile } : so) : null;
        return { train, evaluate };
      } catch (e) {
        await evaluate.release();
        throw e;
      }
    });
    return new OrtStepSessions(cfg, provider as TrainProvider, threads, ort, value.train, value.evaluate);
  }

  /**
   * Forward and backward of one batch: returns the gradients of
   * loss = (1/batchSize) Σ_b [β|KL_b − C_t| + rec_b] for every weight, plus the per-example terms.
   * `rows` are word ids + EOS each; `weights` maps every weight name to its host data (Keras layout).
   */
  async gradients(weights: ReadonlyMap<WeightName, Float32Array>, rows: Int32Array[], input: StepRunInput): Promise<StepOutputs & { grads: Map<WeightName, Float32Array> }> {
    if (!this.train) throw new Error('OrtStepSessions: created with evalOnly; no training graph.');
    const { feeds, L } = this.feeds(weights, rows, input.eps);
    // Inverse of valid_rows: the row of dh for each position, N (a zero row) where the position has no target.
    const spread = inverseRows(L.validRows, L.T * L.B);
    const T = this.ort.Tensor;
    feeds['spread_index'] = new T('int32', spread, [spread.length]);
    feeds['c_t'] = new T('float32', new Float32Array([input.cT ?? 0]), []);
    feeds['beta'] = new T('float32', new Float32Array([input.beta ?? 1]), []);
    feeds['inv_batch'] = new T('float32', new Float32Array([1 / (input.batchSize ?? rows.length)]), []);
    const out = await this.run(this.train, feeds);
    const grads = new Map<WeightName, Float32Array>();
    for (const [w] of weightShapes(this.cfg)) grads.set(w, out[gradName(w)]!.data as Float32Array);
    return { grads, nll: out['nll']!.data as Float32Array, kl: this.klOf(out, rows.length), exampleOf: L.exampleOf };
  }

  /** Forward only: per-token nll, per-example KL and the posterior means [B*K] of one batch. */
  async forward(weights: ReadonlyMap<WeightName, Float32Array>, rows: Int32Array[], eps: Float32Array): Promise<StepOutputs & { mean: Float32Array }> {
    const { feeds, L } = this.feeds(weights, rows, eps);
    const out = await this.run(this.evaluate, feeds);
    return { nll: out['nll']!.data as Float32Array, kl: this.klOf(out, rows.length), exampleOf: L.exampleOf, mean: out['mean']!.data as Float32Array };
  }

  /** Stop profiling the training session (when created with `profile`) and flush the profile file. */
  endProfiling(): void {
    this.train?.endProfiling();
  }

  /** Release both native sessions (idempotent). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.evaluate.release();
    await this.train?.release();
  }

  private klOf(out: Record<string, OrtTensor>, B: number): Float32Array {
    return this.cfg.posterior === 'ae' ? new Float32Array(B) : (out['kl']!.data as Float32Array);
  }

  private async run(session: OrtSession, feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
    if (this.released) throw new Error('OrtStepSessions: used after release().');
    return (await session.run(feeds)) as Record<string, OrtTensor>;
  }

  /** The feeds both graph variants take, and the batch layout they come from (the tfjs engine's, step.ts). */
  private feeds(weights: ReadonlyMap<WeightName, Float32Array>, rows: Int32Array[], eps: Float32Array) {
    if (rows.length === 0) throw new RangeError('OrtStepSessions: a batch needs at least one row.');
    const L = layoutOf(rows);
    const { B, T } = L;
    const K = this.cfg.latentDim;
    const Tensor = this.ort.Tensor;
    const feeds: Record<string, OrtTensor> = {};
    for (const [w, shape] of weightShapes(this.cfg)) {
      const data = weights.get(w);
      if (!data) throw new RangeError(`OrtStepSessions: missing weight "${w}"`);
      feeds[w] = new Tensor('float32', data, shape);
    }
    feeds['x'] = new Tensor('int32', L.x, [T, B]);
    feeds['y'] = new Tensor('int32', L.y, [T, B]);
    const mask = new Float32Array(T * B);
    for (const r of L.eosRows) mask[r] = 1;
    feeds['eos_mask'] = new Tensor('float32', mask, [T, B, 1]);
    feeds['valid_rows'] = new Tensor('int32', L.validRows, [L.validRows.length]);
    feeds['targets'] = new Tensor('int32', L.targets, [L.targets.length]);
    if (this.cfg.posterior !== 'ae') {
      if (eps.length < B * K) throw new RangeError(`OrtStepSessions: eps has ${eps.length} values, the batch needs ${B * K}.`);
      feeds['eps'] = new Tensor('float32', eps.length === B * K ? eps : eps.slice(0, B * K), [B, K]);
    }
    return { feeds, L };
  }
}
