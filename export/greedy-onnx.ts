import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../core/config.ts';
import { BOS_ID, EOS_ID } from '../core/special.ts';

/**
 * Greedy decoding through a decoder_step session (protocol §2.4): start from BOS and zero state,
 * feed back the in-graph `next_token` for exactly `steps` steps (no early stop, as the trainer's
 * greedyDecode), then cut each row before its first EOS. z: [batch*K].
 */
export async function greedyOnnx(session: ort.InferenceSession, z: Float32Array, batch: number, cfg: ModelConfig, steps: number): Promise<number[][]> {
  const { hiddenDim: H, latentDim: K } = cfg;
  const zT = new ort.Tensor('float32', z, [batch, K]);
  let token: ort.Tensor = new ort.Tensor('int32', new Int32Array(batch).fill(BOS_ID), [batch]);
  let h: ort.Tensor = new ort.Tensor('float32', new Float32Array(batch * H), [batch, H]);
  let c: ort.Tensor = new ort.Tensor('float32', new Float32Array(batch * H), [batch, H]);
  const rows: number[][] = Array.from({ length: batch }, () => []);
  for (let t = 0; t < steps; t++) {
    const res = await session.run({ token, z: zT, h, c });
    token = res.next_token as ort.Tensor;
    h = res.h_out as ort.Tensor;
    c = res.c_out as ort.Tensor;
    const ids = token.data as Int32Array;
    for (let b = 0; b < batch; b++) rows[b]!.push(ids[b]!);
  }
  return rows.map((r) => {
    const end = r.indexOf(EOS_ID);
    return end < 0 ? r : r.slice(0, end);
  });
}

/**
 * Token agreement of two sets of cut sequences: each row is compared position by position up to
 * and including its EOS (so an empty row still counts one position). Returns per-row equality,
 * the number of identical rows and the percentage of agreeing positions.
 */
export function tokenAgreement(a: number[][], b: number[][], eos: number): { rowsEqual: boolean[]; identical: number; percent: number } {
  let same = 0;
  let total = 0;
  const rowsEqual: boolean[] = [];
  const n = Math.max(a.length, b.length);
  for (let r = 0; r < n; r++) {
    const x = [...(a[r] ?? []), eos];
    const y = [...(b[r] ?? []), eos];
    const len = Math.max(x.length, y.length);
    let rowSame = 0;
    for (let i = 0; i < len; i++) if (x[i] !== undefined && x[i] === y[i]) rowSame++;
    same += rowSame;
    total += len;
    rowsEqual.push(rowSame === len && a[r] !== undefined && b[r] !== undefined);
  }
  return { rowsEqual, identical: rowsEqual.filter(Boolean).length, percent: total === 0 ? 100 : (100 * same) / total };
}
