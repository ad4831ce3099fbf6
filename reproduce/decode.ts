/**
 * Greedy decoding with an optional teacher-forced prefix, on the tfjs reference model
 * (TfModel.decoderStep). One function serves reconstruction (empty prefixes, protocol §4.2),
 * word imputation (the decoder is fed [BOS] + prefix, then continues greedily, §4.8), homotopy and
 * prior samples (§4.9-4.10). Rows are decoded together in batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BOS_ID, EOS_ID } from '../core/special.ts';
import type { TfModel } from '../train/model.ts';

/**
 * Decodes every row of `z` (`[N, K]` row-major) with its `prefixes[i]` (word ids, no BOS / EOS;
 * may be empty): step s feeds BOS (s = 0), then prefix[s-1] while the prefix lasts, then the
 * previous argmax. The argmaxes from step len(prefix) on are the generated tokens; each row gets
 * `steps - len(prefix)` of them (quality.py: maxlen - prefix length; reconstruction: T_test) and is
 * cut before its first EOS (EOS excluded; a row without EOS keeps all). Stops early once every
 * row has produced EOS. `batchSize` [128] rows per tfjs batch. Returns the generated ids per row.
 */
export function decodeWithPrefix(model: TfModel, z: Float32Array, prefixes: readonly (readonly number[])[], steps: number, batchSize = 128): number[][] {
  const K = model.cfg.latentDim;
  const N = prefixes.length;
  if (z.length !== N * K) throw new RangeError(`decodeWithPrefix z: expected ${N} x ${K} values, got ${z.length}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`decodeWithPrefix steps: expected an integer >= 1, got ${steps}`);
  const out: number[][] = [];
  for (let s0 = 0; s0 < N; s0 += batchSize) {
    const pre = prefixes.slice(s0, s0 + batchSize);
    out.push(...decodeBatch(model, z.subarray(s0 * K, (s0 + pre.length) * K), pre, steps));
  }
  return out;
}

function decodeBatch(model: TfModel, zRows: Float32Array, prefixes: readonly (readonly number[])[], steps: number): number[][] {
  const B = prefixes.length;
  const H = model.cfg.hiddenDim;
  const z = tf.tensor2d(zRows, [B, model.cfg.latentDim]); // [B, K]
  let h = tf.zeros([B, H]) as tf.Tensor2D;
  let c = tf.zeros([B, H]) as tf.Tensor2D;
  const out: number[][] = Array.from({ length: B }, () => []);
  const done = prefixes.map((p) => p.length >= steps);
  let prev = new Int32Array(B).fill(BOS_ID);
  try {
    for (let s = 0; s < steps && done.some((d) => !d); s++) {
      const input = new Int32Array(B);
      for (let b = 0; b < B; b++) {
        const p = prefixes[b]!;
        input[b] = s === 0 ? BOS_ID : s - 1 < p.length ? p[s - 1]! : prev[b]!;
      }
      const token = tf.tensor1d(input, 'int32');
      const step = model.decoderStep(token, z, h, c);
      const next = tf.tidy(() => tf.cast(tf.argMax(step.logits, 1), 'int32'));
      const ids = next.dataSync() as Int32Array;
      tf.dispose([token, h, c, step.logits, next]);
      h = step.h;
      c = step.c;
      for (let b = 0; b < B; b++) {
        if (done[b] || s < prefixes[b]!.length) continue; // teacher-forced positions: prediction unused
        if (ids[b] === EOS_ID) done[b] = true;
        else out[b]!.push(ids[b]!);
      }
      prev = Int32Array.from(ids);
    }
  } finally {
    tf.dispose([z, h, c]);
  }
  return out;
}
