import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { initBackend } from '../../train/backend.ts';
import { outputLayerGrads, outputLayerNll } from '../../train/output-layer.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

/** Float64 reference of softmax cross-entropy and its gradients, written from the definitions. */
function reference(h: Float32Array, tgt: Int32Array, W: Float32Array, b: Float32Array, N: number, H: number, V: number, scale: number) {
  const nll = new Float64Array(N);
  const dW = new Float64Array(H * V);
  const db = new Float64Array(V);
  const dh = new Float64Array(N * H);
  for (let n = 0; n < N; n++) {
    const logits = new Float64Array(V);
    for (let v = 0; v < V; v++) {
      let s = b[v]!;
      for (let k = 0; k < H; k++) s += h[n * H + k]! * W[k * V + v]!;
      logits[v] = s;
    }
    const max = Math.max(...logits);
    const z = logits.reduce((a, l) => a + Math.exp(l - max), 0);
    nll[n] = Math.log(z) + max - logits[tgt[n]!]!;
    for (let v = 0; v < V; v++) {
      const d = (Math.exp(logits[v]! - max) / z - (v === tgt[n] ? 1 : 0)) * scale;
      db[v]! += d;
      for (let k = 0; k < H; k++) {
        dW[k * V + v]! += h[n * H + k]! * d;
        dh[n * H + k]! += d * W[k * V + v]!;
      }
    }
  }
  return { nll, dW, db, dh };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('output layer (sparse softmax cross-entropy, chunked)', () => {
  it('matches a float64 reference for every output: one chunk, chunks of 3 rows, and column blocks of 4 (repeated targets)', () => {
    const rng = new Rng(12);
    const [N, H, V] = [8, 5, 11];
    const h = new Float32Array(N * H).map(() => rng.normal());
    const W = new Float32Array(H * V).map(() => rng.normal() * 0.5);
    const b = new Float32Array(V).map(() => rng.normal() * 0.1);
    const tgt = Int32Array.from([3, 3, 0, 10, 7, 3, 1, 10]);
    const ref = reference(h, tgt, W, b, N, H, V, 0.25);
    for (const [chunk, dhBlock] of [[1024, 3072], [3, 3072], [3, 4]] as const) {
      const [ht, Wt, bt] = [tf.tensor2d(h, [N, H]), tf.tensor2d(W, [H, V]), tf.tensor1d(b)];
      const out = outputLayerGrads(ht, tgt, Wt, bt, 0.25, { chunkRows: chunk, dhBlock });
      const diffs = {
        nll: maxDiff(out.nll, ref.nll), dW: maxDiff(out.dW.dataSync(), ref.dW), db: maxDiff(out.db.dataSync(), ref.db), dh: maxDiff(out.dhs.dataSync(), ref.dh),
        nllOnly: maxDiff(outputLayerNll(ht, tgt, Wt, bt), ref.nll),
      };
      for (const [name, d] of Object.entries(diffs)) expect(d, `${name} (chunk ${chunk}, block ${dhBlock}): max abs diff ${d}`).toBeLessThan(1e-5);
      tf.dispose([ht, Wt, bt, out.dW, out.db, out.dhs]);
    }
  });
});
