import { describe, expect, it } from 'vitest';
import { kerasToOnnxLstm } from '../../export/lstm-weights.ts';

const t = (shape: number[], data: number[]) => ({ shape, data: Float32Array.from(data) });

describe('kerasToOnnxLstm', () => {
  it('reorders gate blocks i,f,g,o -> i,o,f,c (in=1, H=1, worked by hand)', () => {
    // Keras columns are the gates i=1, f=2, g=3, o=4; ONNX wants i, o, f, c = 1, 4, 2, 3.
    const out = kerasToOnnxLstm(t([1, 4], [1, 2, 3, 4]), t([1, 4], [10, 20, 30, 40]), t([4], [0.1, 0.2, 0.3, 0.4]));
    expect(out.W.shape).toEqual([1, 4, 1]);
    expect([...out.W.data]).toEqual([1, 4, 2, 3]);
    expect(out.R.shape).toEqual([1, 4, 1]);
    expect([...out.R.data]).toEqual([10, 40, 20, 30]);
    expect(out.B.shape).toEqual([1, 8]);
    // Wb = reordered Keras bias, Rb = 0 (Keras has a single bias).
    expect([...out.B.data]).toEqual([0.1, 0.4, 0.2, 0.3, 0, 0, 0, 0].map(Math.fround));
  });

  it('transposes [in, 4H] to [4H, in] per block (in=2, H=2, worked by hand)', () => {
    // kernel[k][col] = 100*(k+1) + col; ONNX row (block j, unit r) = Keras column (src*H + r) with
    // src = i:0, o:3, f:1, c:2 -> columns 0,1 | 6,7 | 2,3 | 4,5.
    const kernel = t([2, 8], [0, 1].flatMap((k) => Array.from({ length: 8 }, (_, col) => 100 * (k + 1) + col)));
    const rec = t([2, 8], Array.from({ length: 16 }, (_, i) => -i)); // rec[k][col] = -(8k + col)
    const out = kerasToOnnxLstm(kernel, rec, t([8], [0, 1, 2, 3, 4, 5, 6, 7]));
    expect(out.W.shape).toEqual([1, 8, 2]);
    expect([...out.W.data]).toEqual([
      100, 200, 101, 201, // i
      106, 206, 107, 207, // o
      102, 202, 103, 203, // f
      104, 204, 105, 205, // c
    ]);
    expect([...out.R.data]).toEqual([
      -0, -8, -1, -9,
      -6, -14, -7, -15,
      -2, -10, -3, -11,
      -4, -12, -5, -13,
    ]);
    expect([...out.B.data]).toEqual([0, 1, 6, 7, 2, 3, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('rejects inconsistent shapes with RangeError', () => {
    expect(() => kerasToOnnxLstm(t([1, 6], [1, 2, 3, 4, 5, 6]), t([1, 4], [0, 0, 0, 0]), t([4], [0, 0, 0, 0]))).toThrow(RangeError);
    expect(() => kerasToOnnxLstm(t([1, 4], [1, 2, 3, 4]), t([2, 4], [0, 0, 0, 0, 0, 0, 0, 0]), t([4], [0, 0, 0, 0]))).toThrow(/recurrent kernel/);
    expect(() => kerasToOnnxLstm(t([1, 4], [1, 2, 3, 4]), t([1, 4], [0, 0, 0, 0]), t([3], [0, 0, 0]))).toThrow(/bias/);
  });
});
