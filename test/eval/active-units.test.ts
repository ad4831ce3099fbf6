import { describe, expect, it } from 'vitest';
import { activeUnits } from '../../eval/active-units.ts';

describe('activeUnits (N-1 covariance, strict > threshold)', () => {
  // Constructed N=4, K=4 means (rows = sentences). Per-column variances by hand (ddof = 1):
  //   col0 constant 0.5                -> 0
  //   col1 [0.1, -0.1, 0.1, -0.1]      -> 4 * 0.01 / 3 = 0.01333 (ddof = 0 would give exactly 0.01: not active)
  //   col2 [1, -1, 1, -1]              -> 4 / 3
  //   col3 [0, 0, 0, 0.1]              -> mean 0.025, (3 * 0.025^2 + 0.075^2) / 3 = 0.0025
  const means = new Float32Array([
    0.5, 0.1, 1, 0,
    0.5, -0.1, -1, 0,
    0.5, 0.1, 1, 0,
    0.5, -0.1, -1, 0.1,
  ]);
  it('counts dims with variance > 0.01 and returns the variances', () => {
    const au = activeUnits(means, 4, 4);
    expect(au.count).toBe(2);
    expect(au.active).toEqual([false, true, true, false]);
    const v = Array.from(au.variances);
    expect(v[0]).toBe(0);
    expect(v[1]).toBeCloseTo(0.04 / 3, 8); // float32 input: 0.1f is not exactly 0.1
    expect(v[2]).toBe(4 / 3);
    expect(v[3]).toBeCloseTo(0.0025, 9);
  });
  it('the threshold is strict: a variance equal to it is inactive', () => {
    // Column 2 variance is exactly 4/3 in float64 (sum of squares 4, divided by 3).
    expect(activeUnits(means, 4, 4, 4 / 3).active[2]).toBe(false);
    expect(activeUnits(means, 4, 4, 4 / 3 - 1e-12).active[2]).toBe(true);
  });
  it('validates the layout', () => {
    expect(() => activeUnits(means, 4, 3)).toThrow(RangeError);
    expect(() => activeUnits([1, 2], 1, 2)).toThrow(RangeError);
  });
});
