import { describe, expect, it } from 'vitest';
import { activeDirections, activeUnits } from '../../eval/active-units.ts';

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

describe('activeDirections (eigenvalues of the N-1 covariance, rotation invariant)', () => {
  // Sylvester Hadamard matrix of order 8: rows/columns are orthogonal ±1 vectors; columns 1..7 sum to 0.
  const H = [[1]];
  while (H.length < 8) {
    const n = H.length;
    for (let i = 0; i < n; i++) H.push([...H[i]!.map((x) => x), ...H[i]!.map((x) => -x)]);
    for (let i = 0; i < n; i++) H[i] = [...H[i]!, ...H[i]!];
  }
  const N = 8;
  const K = 8;
  // Latent code of rank 3 with chosen variances v = [4, 2, 1]: column j of A is a_j * H[:, j+1]
  // (zero mean, orthogonal), and Var_ddof1 = a_j^2 * 8 / 7, so a_j = sqrt(v_j * 7 / 8).
  // It is then rotated into all K axes by R = Hadamard rows 1..3 / sqrt(8) (orthonormal rows):
  // means = A R, so Cov = R^T diag(v) R has eigenvalues exactly [4, 2, 1, 0, 0, 0, 0, 0] and every
  // axis variance is (4 + 2 + 1) / 8 = 0.875 (so AU counts all 8 axes).
  const v = [4, 2, 1];
  const means = new Float64Array(N * K);
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < K; k++) {
      let x = 0;
      for (let j = 0; j < 3; j++) x += Math.sqrt((v[j]! * 7) / 8) * H[i]![j + 1]! * (H[j + 1]![k]! / Math.sqrt(8));
      means[i * K + k] = x;
    }
  }
  it('counts a rotated rank-3 code as 3 directions while AU counts all 8 axes', () => {
    expect(activeUnits(means, N, K).count).toBe(8);
    const d = activeDirections(means, N, K);
    expect(d.count).toBe(3);
    const want = [4, 2, 1, 0, 0, 0, 0, 0];
    d.eigenvalues.forEach((e, i) => expect(Math.abs(e - want[i]!)).toBeLessThan(1e-12));
    expect(d.effectiveRank).toBeCloseTo(49 / 21, 12); // (4+2+1)^2 / (16+4+1)
  });
  it('an isotropic cloud has effective rank K; a constant one has 0 directions', () => {
    const iso = new Float64Array(N * 4);
    for (let i = 0; i < N; i++) for (let k = 0; k < 4; k++) iso[i * 4 + k] = H[i]![k + 1]!; // equal variances 8/7
    const d = activeDirections(iso, N, 4);
    expect(d.count).toBe(4);
    expect(d.effectiveRank).toBeCloseTo(4, 12);
    const flat = activeDirections(new Float64Array(N * 4).fill(0.3), N, 4);
    expect(flat.count).toBe(0);
    expect(flat.effectiveRank).toBe(0);
  });
  it('validates its input', () => {
    expect(() => activeDirections(means, 1, K * N)).toThrow(/at least 2 rows/);
    expect(() => activeDirections(means, N, K, Number.NaN)).toThrow(RangeError);
  });
});
