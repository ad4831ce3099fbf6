import type { HostTensor } from '../core/weights.ts';

/**
 * Gate block order: ONNX `LSTM` stacks its 4 gate blocks as i, o, f, c; Keras/tfjs as i, f, c(g), o.
 * ONNX block j is taken from Keras block KERAS_BLOCK_OF_ONNX[j].
 */
export const KERAS_BLOCK_OF_ONNX: readonly number[] = [0, 3, 1, 2];

/** ONNX `LSTM` inputs W, R, B for one forward direction. */
export interface OnnxLstmWeights {
  /** [1, 4H, in], gate blocks i, o, f, c. */
  W: HostTensor;
  /** [1, 4H, H], gate blocks i, o, f, c. */
  R: HostTensor;
  /** [1, 8H] = [Wb | Rb]; Keras has one bias, so Rb = 0. */
  B: HostTensor;
}

function dims2(t: HostTensor, what: string): [number, number] {
  const [a, b] = t.shape;
  if (t.shape.length !== 2 || a === undefined || b === undefined || t.data.length !== a * b) {
    throw new RangeError(`kerasToOnnxLstm: ${what} must be a 2-D tensor with matching data, got shape [${t.shape}] and ${t.data.length} values.`);
  }
  return [a, b];
}

/**
 * Map Keras LSTM weights (kernel [in, 4H], recurrent kernel [H, 4H], bias [4H], gates i, f, g, o)
 * to the ONNX `LSTM` op layout (W [1, 4H, in], R [1, 4H, H], B [1, 8H], gates i, o, f, c): reorder
 * the gate blocks and transpose. Exact (a permutation; no arithmetic). Throws RangeError on shape
 * mismatch.
 */
export function kerasToOnnxLstm(kernel: HostTensor, recurrent: HostTensor, bias: HostTensor): OnnxLstmWeights {
  const [inDim, fourH] = dims2(kernel, 'kernel');
  const H = fourH / 4;
  if (!Number.isInteger(H) || H < 1) throw new RangeError(`kerasToOnnxLstm: kernel has ${fourH} columns, not a positive multiple of 4.`);
  const [rRows, rCols] = dims2(recurrent, 'recurrent kernel');
  if (rRows !== H || rCols !== fourH) throw new RangeError(`kerasToOnnxLstm: recurrent kernel is [${recurrent.shape}], expected [${H}, ${fourH}].`);
  if (bias.shape.length !== 1 || bias.shape[0] !== fourH || bias.data.length !== fourH) {
    throw new RangeError(`kerasToOnnxLstm: bias is [${bias.shape}], expected [${fourH}].`);
  }
  // Keras column (src*H + r) of a [rows, 4H] matrix becomes ONNX row (j*H + r) of a [4H, rows] matrix.
  const transposeBlocks = (m: Float32Array, rows: number): Float32Array => {
    const out = new Float32Array(fourH * rows);
    for (let j = 0; j < 4; j++) {
      const src = KERAS_BLOCK_OF_ONNX[j]!;
      for (let r = 0; r < H; r++) {
        const outRow = (j * H + r) * rows;
        const col = src * H + r;
        for (let k = 0; k < rows; k++) out[outRow + k] = m[k * fourH + col]!;
      }
    }
    return out;
  };
  const B = new Float32Array(8 * H);
  for (let j = 0; j < 4; j++) {
    const src = KERAS_BLOCK_OF_ONNX[j]!;
    B.set(bias.data.subarray(src * H, (src + 1) * H), j * H);
  }
  return {
    W: { shape: [1, fourH, inDim], data: transposeBlocks(kernel.data, inDim) },
    R: { shape: [1, fourH, H], data: transposeBlocks(recurrent.data, H) },
    B: { shape: [1, 8 * H], data: B },
  };
}
