import { seededRandom } from '../../export/validate-inputs.ts';
/** Test helpers: seeded random weights/inputs, an ORT session runner and a whole-tensor comparison. */
import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../../core/config.ts';
import { weightShapes, type Weights } from '../../core/weights.ts';

/** Seeded uniform [0, 1) stream (the project's RNG). */
export function rng(seed: number): () => number {
  return seededRandom(seed);
}

/** Random weights of the right shapes, uniform in [-scale, scale]. */
export function randomWeights(cfg: ModelConfig, seed: number, scale = 0.5): Weights {
  const r = rng(seed);
  const w: Weights = {};
  for (const [name, shape] of weightShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    w[name] = { shape, data: Float32Array.from({ length: n }, () => (2 * r() - 1) * scale) };
  }
  return w;
}

/** Rows of ids (words in 3..V-1, then EOS) with lengths in [1, maxLen]; row 0 has length maxLen. */
export function randomRows(V: number, batch: number, maxLen: number, seed: number): number[][] {
  const r = rng(seed);
  return Array.from({ length: batch }, (_, b) => {
    const len = b === 0 ? maxLen : 1 + Math.floor(r() * maxLen);
    return [...Array.from({ length: len - 1 }, () => 3 + Math.floor(r() * (V - 3))), 2];
  });
}

/** Post-pad rows with PAD=0 to `width` columns: Int32Array [rows.length * width]. */
export function padRows(rows: number[][], width: number): Int32Array {
  const out = new Int32Array(rows.length * width);
  rows.forEach((row, b) => out.set(row, b * width));
  return out;
}

/** Run an ONNX model once on the CPU EP and return its outputs as plain arrays. */
export async function runOnnx(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, { dims: readonly number[]; data: Float32Array | Int32Array }>> {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'] });
  try {
    const res = await session.run(feeds);
    const out: Record<string, { dims: readonly number[]; data: Float32Array | Int32Array }> = {};
    for (const [k, t] of Object.entries(res)) out[k] = { dims: t.dims, data: t.data as Float32Array | Int32Array };
    return out;
  } finally {
    await session.release();
  }
}

/** Max abs diff between two equal-length arrays; throws if lengths differ. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/**
 * Whole-tensor closeness |a - e| <= atol + rtol*|e| for every element; on failure throws with the
 * first failing index and the max abs diff. Returns the max abs diff.
 */
export function expectTensorClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: { atol: number; rtol?: number }, what: string): number {
  const rtol = tol.rtol ?? 0;
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  let first = -1;
  for (let i = 0; i < actual.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= tol.atol + rtol * Math.abs(expected[i]!)) && first < 0) first = i;
  }
  const diff = maxAbsDiff(actual, expected);
  if (first >= 0) throw new Error(`${what}: element ${first} is ${actual[first]} vs ${expected[first]} (atol ${tol.atol}); max abs diff ${diff}`);
  return diff;
}
