import * as tf from '@tensorflow/tfjs-core';
import { Worker } from 'node:worker_threads';
import { IsovaeError } from '../core/errors.ts';
import type { WeightName } from '../core/weights.ts';
import type { GradientEngine } from './engine.ts';
import type { TfModel } from './model.ts';
import { lossAndGrads, type StepOptions, type StepStats } from './step.ts';

/** Main thread -> worker. */
export type WorkerRequest =
  | { type: 'compute'; rows: Int32Array[]; opts: StepOptions }
  | { type: 'weights'; weights: Array<[WeightName, Float32Array]> }
  | { type: 'memory' }
  | { type: 'stop' };

/** Worker -> main thread. */
export type WorkerReply =
  | { type: 'ok' }
  | { type: 'grads'; grads: Array<[WeightName, Float32Array]>; stats: StepStats }
  | { type: 'memory'; numTensors: number }
  | { type: 'error'; message: string };

/** A worker with a promise-based request/reply channel (one request in flight at a time). */
class WorkerLink {
  private pending: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | null = null;

  constructor(readonly worker: Worker) {
    worker.on('message', (r: WorkerReply) => {
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      if (r.type === 'error') p.reject(new IsovaeError('E_BACKEND', `gradient worker failed: ${r.message}`));
      else p.resolve(r);
    });
    worker.on('error', (e) => this.pending?.reject(e));
    worker.on('exit', (code) => this.pending?.reject(new IsovaeError('E_BACKEND', `gradient worker exited with code ${code}`)));
  }

  /** Wait for the next reply (used for the ready message). */
  next(): Promise<WorkerReply> {
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  request(msg: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    const p = this.next();
    this.worker.postMessage(msg, transfer);
    return p;
  }
}

/**
 * Split rows into `parts` contiguous shards of about equal token counts (the output layer, most of the
 * cost, scales with tokens). Returns the shard boundaries [start, end).
 */
export function shardBounds(rows: Int32Array[], parts: number): Array<[number, number]> {
  const total = rows.reduce((a, r) => a + r.length, 0);
  const bounds: Array<[number, number]> = [];
  let start = 0;
  let acc = 0;
  for (let p = 1; p < parts; p++) {
    let end = start;
    while (end < rows.length - (parts - p) && acc + rows[end]!.length <= (total * p) / parts) acc += rows[end++]!.length;
    if (end === start && end < rows.length - (parts - p)) acc += rows[end++]!.length; // at least one row per shard
    bounds.push([start, end]);
    start = end;
  }
  bounds.push([start, rows.length]);
  return bounds;
}

/**
 * Data-parallel gradients over worker_threads: each worker runs its own tfjs-wasm (tfjs-wasm's threaded build
 * does not run in Node, so this is how training uses several cores). The batch is split into shards of about
 * equal tokens; this thread computes shard 0 while the workers compute the others; gradients are summed here
 * (every shard is scaled by the whole batch size, so the sum is the batch-mean gradient) and, after the
 * optimiser update, the new weights are copied to every worker.
 */
export class ParallelEngine implements GradientEngine {
  private constructor(
    private readonly model: TfModel,
    private readonly links: WorkerLink[],
  ) {}

  /** Start `workers - 1` worker threads (this thread is the first worker). */
  static async start(model: TfModel, workers: number): Promise<ParallelEngine> {
    const backend = tf.getBackend() === 'cpu' ? 'cpu' : 'wasm';
    const links: WorkerLink[] = [];
    for (let i = 1; i < workers; i++) {
      // A plain-JS entry registers tsx in the worker (workers do not inherit the loader), then loads grad-worker.ts.
      const worker = new Worker(new URL('./grad-worker-entry.mjs', import.meta.url), {
        workerData: { cfg: model.cfg, weights: model.toWeights(), backend },
      });
      const link = new WorkerLink(worker);
      links.push(link);
      await link.next(); // ready
    }
    return new ParallelEngine(model, links);
  }

  async compute(rows: Int32Array[], opts: StepOptions): Promise<{ grads: Map<WeightName, tf.Tensor>; stats: StepStats }> {
    const bounds = shardBounds(rows, this.links.length + 1);
    const K = this.model.cfg.latentDim;
    const shardOpts = ([s, e]: [number, number]): StepOptions => ({ ...opts, eps: opts.eps.slice(s * K, e * K) });
    const replies = bounds.slice(1).map((b, i) =>
      b[1] > b[0] ? this.links[i]!.request({ type: 'compute', rows: rows.slice(b[0], b[1]), opts: shardOpts(b) }) : null,
    );
    const own = lossAndGrads(this.model.params, this.model.cfg, rows.slice(bounds[0]![0], bounds[0]![1]), shardOpts(bounds[0]!));
    const stats = { ...own.stats };
    const grads = own.grads;
    for (const pending of replies) {
      if (!pending) continue;
      const r = await pending;
      if (r.type !== 'grads') throw new IsovaeError('E_BACKEND', 'gradient worker sent an unexpected reply');
      for (const [name, data] of r.grads) {
        const mine = grads.get(name)!;
        grads.set(name, tf.tidy(() => tf.add(mine, tf.tensor(data, mine.shape))));
        mine.dispose();
      }
      stats.lossSum += r.stats.lossSum;
      stats.klSum += r.stats.klSum;
      stats.recSum += r.stats.recSum;
      stats.tokens += r.stats.tokens;
      stats.rows += r.stats.rows;
    }
    return { grads, stats };
  }

  async afterUpdate(): Promise<void> {
    const weights: Array<[WeightName, Float32Array]> = [...this.model.params].map(([n, v]) => [n, v.dataSync() as Float32Array]);
    await Promise.all(this.links.map((l) => l.request({ type: 'weights', weights })));
  }

  /** tf.memory().numTensors of every worker (for leak tests). */
  async workerTensorCounts(): Promise<number[]> {
    const replies = await Promise.all(this.links.map((l) => l.request({ type: 'memory' })));
    return replies.map((r) => (r.type === 'memory' ? r.numTensors : -1));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.links.map(async (l) => {
      await l.request({ type: 'stop' }).catch(() => undefined);
      await l.worker.terminate();
    }));
  }
}
