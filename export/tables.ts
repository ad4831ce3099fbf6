import type { HostTensor } from '../core/weights.ts';

/**
 * Precompute the per-token input projection table T = Emb @ kernel[rowOffset : rowOffset+E, :] + bias,
 * [V, 4H], in float64 then rounded once to float32. Gathering row `token` of T equals
 * Embedding[token] @ W_e + b, so a graph can replace Gather + MatMul + Add by one Gather
 * (faster per step, but V*4H floats on disk: 98 MB at the paper's V=12,003, H=512).
 */
export function projectionTable(emb: HostTensor, kernel: HostTensor, rowOffset: number, bias: HostTensor): HostTensor {
  const [V, E] = emb.shape as [number, number];
  const [rows, cols] = kernel.shape as [number, number];
  if (emb.shape.length !== 2 || kernel.shape.length !== 2 || rowOffset + E > rows) {
    throw new RangeError(`projectionTable: embedding [${emb.shape}] does not fit kernel [${kernel.shape}] at row ${rowOffset}.`);
  }
  if (bias.data.length !== cols) throw new RangeError(`projectionTable: bias has ${bias.data.length} values, kernel has ${cols} columns.`);
  const out = new Float32Array(V * cols);
  const acc = new Float64Array(cols);
  for (let v = 0; v < V; v++) {
    for (let j = 0; j < cols; j++) acc[j] = bias.data[j]!;
    for (let e = 0; e < E; e++) {
      const x = emb.data[v * E + e]!;
      const base = (rowOffset + e) * cols;
      for (let j = 0; j < cols; j++) acc[j]! += x * kernel.data[base + j]!;
    }
    for (let j = 0; j < cols; j++) out[v * cols + j] = acc[j]!;
  }
  return { shape: [V, cols], data: out };
}

/** Rows [from, to) of a 2-D tensor as a new tensor (e.g. the z rows of decoder/kernel). */
export function sliceRows(t: HostTensor, from: number, to: number): HostTensor {
  const [rows, cols] = t.shape as [number, number];
  if (t.shape.length !== 2 || from < 0 || to > rows || from > to) throw new RangeError(`sliceRows: rows [${from}, ${to}) outside [${t.shape}].`);
  return { shape: [to - from, cols], data: t.data.slice(from * cols, to * cols) };
}

/** Stack 2-D tensors with equal column counts along rows (e.g. [decoder/kernel; recurrent_kernel]). */
export function stackRows(parts: readonly HostTensor[]): HostTensor {
  const cols = parts[0]?.shape[1];
  if (cols === undefined || parts.some((p) => p.shape.length !== 2 || p.shape[1] !== cols)) {
    throw new RangeError(`stackRows: tensors must be 2-D with equal column counts, got ${parts.map((p) => `[${p.shape}]`).join(', ')}.`);
  }
  const rows = parts.reduce((n, p) => n + p.shape[0]!, 0);
  const data = new Float32Array(rows * cols);
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { shape: [rows, cols], data };
}
