/**
 * Gradient worker thread of the data-parallel engine (parallel.ts): holds its own tfjs-wasm instance and a
 * copy of the weights, computes the loss and gradients of one shard per step, and takes new weights after
 * every optimiser update. Messages: see `WorkerRequest` / `WorkerReply` in parallel.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelConfig } from '../core/config.ts';
import type { WeightName, Weights } from '../core/weights.ts';
import { initBackend } from './backend.ts';
import { TfModel } from './model.ts';
import { lossAndGrads } from './step.ts';
import type { WorkerReply, WorkerRequest } from './parallel.ts';

const init = workerData as { cfg: ModelConfig; weights: Weights; backend: 'wasm' | 'cpu' };
await initBackend(init.backend);
const model = new TfModel(init.cfg, init.weights);
const port = parentPort!;

port.on('message', (msg: WorkerRequest) => {
  try {
    if (msg.type === 'compute') {
      const { grads, stats } = lossAndGrads(model.params, model.cfg, msg.rows, msg.opts);
      const out: Array<[WeightName, Float32Array]> = [];
      for (const [name, g] of grads) out.push([name, g.dataSync() as Float32Array]);
      tf.dispose([...grads.values()]);
      const reply: WorkerReply = { type: 'grads', grads: out, stats };
      port.postMessage(reply, out.map(([, a]) => a.buffer as ArrayBuffer));
    } else if (msg.type === 'weights') {
      // tidy: assign() keeps the data, the temporary tensor wrapper must still be released
      for (const [name, data] of msg.weights) tf.tidy(() => model.p(name).assign(tf.tensor(data, model.p(name).shape)));
      port.postMessage({ type: 'ok' } satisfies WorkerReply);
    } else if (msg.type === 'memory') {
      port.postMessage({ type: 'memory', numTensors: tf.memory().numTensors } satisfies WorkerReply);
    } else if (msg.type === 'stop') {
      model.dispose();
      port.postMessage({ type: 'ok' } satisfies WorkerReply);
      port.close();
    }
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) } satisfies WorkerReply);
  }
});
port.postMessage({ type: 'ok' } satisfies WorkerReply);
