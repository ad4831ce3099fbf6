import { describe, expect, it } from 'vitest';
import { cholesky, jacobiEigen, logDetSpd } from '../../eval/linalg.ts';
import { seededUniform } from '../../eval/random.ts';

describe('jacobiEigen', () => {
  it('[[2,1],[1,2]] has eigenpairs 3 -> (1,1)/sqrt2 and 1 -> (1,-1)/sqrt2 (by hand)', () => {
    const { values, vectors } = jacobiEigen([2, 1, 1, 2], 2);
    expect(values[0]).toBeCloseTo(3, 14);
    expect(values[1]).toBeCloseTo(1, 14);
    // Eigenvectors up to sign: |v0| = (1,1)/sqrt2, v1 proportional to (1,-1).
    expect(Math.abs(vectors[0] as number)).toBeCloseTo(Math.SQRT1_2, 14);
    expect((vectors[0] as number) * (vectors[1] as number)).toBeCloseTo(0.5, 14);
    expect((vectors[2] as number) * (vectors[3] as number)).toBeCloseTo(-0.5, 14);
  });

  it('tridiagonal [2,-1;-1,2,-1;-1,2] has eigenvalues 2+sqrt2, 2, 2-sqrt2 (closed form 2 - 2cos(k pi/4))', () => {
    const { values } = jacobiEigen([2, -1, 0, -1, 2, -1, 0, -1, 2], 3);
    expect(Array.from(values).map((x) => x.toFixed(12))).toEqual(
      [2 + Math.SQRT2, 2, 2 - Math.SQRT2].map((x) => x.toFixed(12)),
    );
  });

  it('a diagonal matrix needs no rotation and keeps the unit basis', () => {
    const { values, vectors, sweeps } = jacobiEigen([1, 0, 0, 0, 5, 0, 0, 0, 3], 3);
    expect(Array.from(values)).toEqual([5, 3, 1]);
    expect(Array.from(vectors)).toEqual([0, 1, 0, 0, 0, 1, 1, 0, 0]);
    expect(sweeps).toBe(0);
  });

  it('random symmetric 12x12: A v = lambda v, orthonormal vectors, trace preserved', () => {
    const n = 12;
    const u = seededUniform(7);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = 2 * u() - 1;
    const { values, vectors } = jacobiEigen(a, n);
    let maxResidual = 0;
    let maxOrtho = 0;
    for (let p = 0; p < n; p++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += (a[i * n + k] as number) * (vectors[p * n + k] as number);
        maxResidual = Math.max(maxResidual, Math.abs(av - (values[p] as number) * (vectors[p * n + i] as number)));
      }
      for (let q = 0; q < n; q++) {
        let dot = 0;
        for (let k = 0; k < n; k++) dot += (vectors[p * n + k] as number) * (vectors[q * n + k] as number);
        maxOrtho = Math.max(maxOrtho, Math.abs(dot - (p === q ? 1 : 0)));
      }
    }
    expect(maxResidual).toBeLessThan(1e-12);
    expect(maxOrtho).toBeLessThan(1e-12);
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i] as number;
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 12);
    for (let p = 1; p < n; p++) expect(values[p] as number).toBeLessThanOrEqual(values[p - 1] as number);
  });

  it('rejects a non-symmetric matrix', () => {
    expect(() => jacobiEigen([1, 2, 3, 4], 2)).toThrow(RangeError);
  });
});

describe('Cholesky log-determinant', () => {
  it('ln det [[4,2,0],[2,5,1],[0,1,3]] = ln 44 (cofactor expansion: 4*14 - 2*6 = 44)', () => {
    expect(logDetSpd([4, 2, 0, 2, 5, 1, 0, 1, 3], 3)).toBeCloseTo(Math.log(44), 14);
  });
  it('L L^T reproduces the matrix', () => {
    const a = [4, 2, 0, 2, 5, 1, 0, 1, 3];
    const l = cholesky(a, 3) as Float64Array;
    // By hand: L = [[2,0,0],[1,2,0],[0,0.5,sqrt(2.75)]].
    expect(Array.from(l).map((x) => +x.toFixed(12))).toEqual([2, 0, 0, 1, 2, 0, 0, 0.5, +Math.sqrt(2.75).toFixed(12)]);
  });
  it('a singular matrix gives -Infinity', () => {
    expect(logDetSpd([1, 1, 1, 1], 2)).toBe(-Infinity);
  });
});
