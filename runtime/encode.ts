import { PAD_ID } from '../core/special.ts';
import type { GraphSession } from './session.ts';
import type { Ort } from './types.ts';

/**
 * Run the encoder over id rows (each: word ids then one `<eos>`) in batches of `batchSize`.
 * Rows are sorted by length so each batch is padded (post, PAD=0) only to its own longest row;
 * padding never changes a row's result (contract), and outputs are written back in input order.
 * Returns `[n * k]` means and, if `withLogvar`, `[n * k]` log-variances.
 */
export async function encodeRows(
  ort: Ort,
  encoder: GraphSession,
  rows: readonly Int32Array[],
  k: number,
  batchSize: number,
  withLogvar: boolean,
): Promise<{ mean: Float32Array; logvar: Float32Array | null }> {
  const n = rows.length;
  const mean = new Float32Array(n * k);
  const logvar = withLogvar ? new Float32Array(n * k) : null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rows[b]!.length - rows[a]!.length || a - b);
  const fetches = withLogvar ? ['mean', 'logvar'] : ['mean'];
  for (let start = 0; start < n; start += batchSize) {
    const idx = order.slice(start, start + batchSize);
    const b = idx.length;
    const t = rows[idx[0]!]!.length; // longest row of this batch (sorted descending)
    const buf = new Int32Array(b * t).fill(PAD_ID); // [b, t]
    idx.forEach((src, r) => buf.set(rows[src]!, r * t));
    const tokens = new ort.Tensor('int32', buf, [b, t]);
    const res = await encoder.run({ tokens }, fetches);
    tokens.dispose();
    const m = res.mean!.data as Float32Array; // [b, k]
    const lv = withLogvar ? (res.logvar!.data as Float32Array) : null; // [b, k]
    idx.forEach((dst, r) => {
      mean.set(m.subarray(r * k, (r + 1) * k), dst * k);
      if (lv && logvar) logvar.set(lv.subarray(r * k, (r + 1) * k), dst * k);
    });
    for (const v of Object.values(res)) v.dispose();
  }
  return { mean, logvar };
}
