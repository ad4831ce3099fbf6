import { BOS_ID, EOS_ID } from '../core/special.ts';
import type { GraphSession } from './session.ts';
import type { Ort, OrtTensor } from './types.ts';

/** One batch of greedy decoding with optional teacher-forced prefixes. */
export interface GreedyBatch {
  /** `[b * k]` latent codes, one row per sequence. */
  z: Float32Array;
  b: number;
  /** Per row: word ids fed after `<bos>` before generation starts (empty for plain decoding). */
  prefixes: readonly Int32Array[];
  /** Per row: maximum number of generated tokens (the `<eos>` step counts). */
  maxNew: Int32Array;
}

/**
 * Greedy decoding through `decoder_step` (paper protocol §2.4, §4.8), batched.
 * Step t feeds `<bos>` (t = 0), else the row's prefix word t-1 while it lasts, else the row's previous
 * argmax; the argmax after the last prefix word is the first generated token. A row stops at its
 * first `<eos>` or after `maxNew` tokens; the loop stops when every row has stopped (early stop).
 * Returns the generated ids per row, EOS excluded, and whether each row emitted EOS.
 *
 * The loop reuses one token buffer and one z tensor, fetches only `next_token`, `h_out`, `c_out`
 * (never the [b, V] logits) and feeds the returned state straight back. When a quarter of the
 * running rows have stopped and the state is on the CPU, the batch is compacted to the running rows
 * (rows are independent, so this only saves work).
 */
export async function greedyDecode(
  ort: Ort,
  step: GraphSession,
  dims: { k: number; h: number },
  batch: GreedyBatch,
): Promise<{ ids: Int32Array[]; finished: boolean[] }> {
  const { prefixes, maxNew } = batch;
  const { k, h: H } = dims;
  const out: number[][] = Array.from({ length: batch.b }, () => []);
  const finished: boolean[] = new Array<boolean>(batch.b).fill(false);
  const done = new Uint8Array(batch.b);
  let totalSteps = 0;
  for (let r = 0; r < batch.b; r++) {
    totalSteps = Math.max(totalSteps, prefixes[r]!.length + maxNew[r]!);
    if (maxNew[r]! <= 0) done[r] = 1;
  }
  // Batch position -> original row; shrinks when the batch is compacted.
  let rows = Int32Array.from({ length: batch.b }, (_, i) => i).filter((r) => !done[r]);
  let b = rows.length;
  let tokenBuf = new Int32Array(b);
  let prev: Int32Array = new Int32Array(b);
  let token = new ort.Tensor('int32', tokenBuf, [b]); // [b], rewritten in place each step
  let z = new ort.Tensor('float32', gatherRows(batch.z, rows, k), [b, k]); // [b, k], constant over steps
  let h: OrtTensor = new ort.Tensor('float32', new Float32Array(b * H), [b, H]); // [b, H]
  let c: OrtTensor = new ort.Tensor('float32', new Float32Array(b * H), [b, H]); // [b, H]
  const fetches = ['next_token', 'h_out', 'c_out'];
  let active = b;
  try {
    for (let t = 0; t < totalSteps && active > 0; t++) {
      if (active <= (b * 3) >> 2 && h.location === 'cpu' && c.location === 'cpu') {
        // Compact to the running rows: [b, *] -> [active, *].
        const keep: number[] = [];
        for (let p = 0; p < b; p++) if (!done[rows[p]!]) keep.push(p);
        const nh = gatherRows(h.data as Float32Array, keep, H);
        const nc = gatherRows(c.data as Float32Array, keep, H);
        const nz = gatherRows(z.data as Float32Array, keep, k);
        prev = Int32Array.from(keep, (p) => prev[p]!);
        rows = Int32Array.from(keep, (p) => rows[p]!);
        b = keep.length;
        for (const x of [h, c, z, token]) x.dispose();
        tokenBuf = new Int32Array(b);
        token = new ort.Tensor('int32', tokenBuf, [b]);
        z = new ort.Tensor('float32', nz, [b, k]);
        h = new ort.Tensor('float32', nh, [b, H]);
        c = new ort.Tensor('float32', nc, [b, H]);
      }
      for (let p = 0; p < b; p++) {
        const pre = prefixes[rows[p]!]!;
        tokenBuf[p] = t === 0 ? BOS_ID : t - 1 < pre.length ? pre[t - 1]! : prev[p]!;
      }
      const res = await step.run({ token, z, h, c }, fetches);
      h.dispose();
      c.dispose();
      h = res.h_out!;
      c = res.c_out!;
      const next = res.next_token!;
      prev = next.data as Int32Array; // [b]
      next.dispose(); // the typed array stays valid on the CPU
      for (let p = 0; p < b; p++) {
        const r = rows[p]!;
        if (done[r] || t < prefixes[r]!.length) continue; // stopped, or still teacher forcing
        const id = prev[p]!;
        if (id === EOS_ID) finished[r] = true;
        else out[r]!.push(id);
        if (id === EOS_ID || out[r]!.length >= maxNew[r]!) {
          done[r] = 1;
          active--;
        }
      }
    }
  } finally {
    for (const x of [h, c, z, token]) x.dispose();
  }
  return { ids: out.map((row) => Int32Array.from(row)), finished };
}

/** Rows `idx` of a row-major `[*, width]` array, as a new `[idx.length, width]` array. */
function gatherRows(src: Float32Array, idx: ArrayLike<number>, width: number): Float32Array {
  const out = new Float32Array(idx.length * width);
  for (let i = 0; i < idx.length; i++) out.set(src.subarray(idx[i]! * width, (idx[i]! + 1) * width), i * width);
  return out;
}

/** Inputs of one decoder step over `b` rows (host arrays, row-major). */
export interface StepState {
  /** `[b]` token fed at this step (`<bos>` first). */
  token: Int32Array;
  /** `[b * k]` latent codes. */
  z: Float32Array;
  /** `[b * H]` LSTM hidden and cell states (zeros at the first step). */
  h: Float32Array;
  c: Float32Array;
}

/**
 * One `decoder_step` run on host arrays: returns the greedy next token `[b]` and the new state
 * `[b * H]` (the output tensors' own CPU arrays; the tensors are released). Throws RangeError on inconsistent sizes.
 */
export async function decoderStep(ort: Ort, step: GraphSession, dims: { k: number; h: number }, s: StepState): Promise<{ next: Int32Array; h: Float32Array; c: Float32Array }> {
  const out = await runStep(ort, step, dims, s, ['next_token', 'h_out', 'c_out']);
  return { next: out.next_token as Int32Array, h: out.h_out as Float32Array, c: out.c_out as Float32Array };
}

/**
 * `decoderStep` that also fetches the `[b * V]` logits (row-major, float32, before softmax), for
 * scoring text (teacher-forced log-likelihoods). Greedy decoding never needs them, so `decoderStep` leaves them out.
 */
export async function decoderStepLogits(ort: Ort, step: GraphSession, dims: { k: number; h: number }, s: StepState): Promise<{ logits: Float32Array; next: Int32Array; h: Float32Array; c: Float32Array }> {
  const out = await runStep(ort, step, dims, s, ['logits', 'next_token', 'h_out', 'c_out']);
  return { logits: out.logits as Float32Array, next: out.next_token as Int32Array, h: out.h_out as Float32Array, c: out.c_out as Float32Array };
}

async function runStep(ort: Ort, step: GraphSession, dims: { k: number; h: number }, s: StepState, fetches: string[]): Promise<Record<string, OrtTensor['data']>> {
  const b = s.token.length;
  const { k, h: H } = dims;
  if (b < 1 || s.z.length !== b * k || s.h.length !== b * H || s.c.length !== b * H) {
    throw new RangeError(`decoderStep: expected token [b], z [b*${k}], h and c [b*${H}] with b >= 1; got ${b}, ${s.z.length}, ${s.h.length}, ${s.c.length}.`);
  }
  const feeds = {
    token: new ort.Tensor('int32', s.token, [b]),
    z: new ort.Tensor('float32', s.z, [b, k]),
    h: new ort.Tensor('float32', s.h, [b, H]),
    c: new ort.Tensor('float32', s.c, [b, H]),
  };
  try {
    const res = await step.run(feeds, fetches);
    // The CPU typed arrays stay valid after dispose (as in greedyDecode): no copy on this per-step path.
    const out: Record<string, OrtTensor['data']> = {};
    for (const [name, t] of Object.entries(res)) {
      out[name] = t.data;
      t.dispose();
    }
    return out;
  } finally {
    for (const t of Object.values(feeds)) t.dispose();
  }
}
