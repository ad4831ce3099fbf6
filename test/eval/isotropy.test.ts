import { describe, expect, it } from 'vitest';
import { isotropyScore } from '../../eval/isotropy.ts';
import { normal, seededUniform } from '../../eval/random.ts';

describe('isotropyScore', () => {
  it('equals 1 for the isotropic set {+-s e_k} (every Z(+-e_k) = e^s + e^-s + 2(K-1))', () => {
    const K = 6;
    const s = 1.7;
    const V: number[] = [];
    for (let k = 0; k < K; k++) {
      for (const sign of [1, -1]) {
        const row = new Array<number>(K).fill(0);
        row[k] = sign * s;
        V.push(...row);
      }
    }
    expect(isotropyScore(V, 2 * K, K).score).toBeCloseTo(1, 14);
    expect(isotropyScore(V, 2 * K, K, { signs: 'canonical' }).score).toBeCloseTo(1, 14);
  });

  it('hand case V = {(2,0), (0,1)}: eigenvectors e1, e2; both signs -> (1+e^-2)/(1+e^2) = e^-2', () => {
    // Z(e1) = e^2 + 1, Z(-e1) = e^-2 + 1, Z(e2) = 1 + e, Z(-e2) = 1 + e^-1.
    const r = isotropyScore([2, 0, 0, 1], 2, 2);
    expect(r.score).toBeCloseTo(Math.exp(-2), 14);
    expect(Array.from(r.eigenvalues)).toEqual([4, 1]);
    // Canonical signs (largest component positive): only Z(e1), Z(e2) -> (1+e)/(1+e^2).
    expect(isotropyScore([2, 0, 0, 1], 2, 2, { signs: 'canonical' }).score).toBeCloseTo((1 + Math.E) / (1 + Math.E ** 2), 14);
  });

  it('is near 1 for a large zero-mean Gaussian cloud and near 0 for a degenerate one', () => {
    const u = seededUniform(3);
    const N = 20000;
    const K = 4;
    const iso = new Float64Array(N * K).map(() => 0.5 * normal(u));
    // Reference: Z(m) ~ N exp(0.125) for every unit m; sampling noise is ~1% -> IS > 0.95.
    expect(isotropyScore(iso, N, K).score).toBeGreaterThan(0.95);
    // Degenerate: every code ~ 5 e1 (+ tiny noise): Z(-e1)/Z(e1) ~ e^-10 = 4.5e-5.
    const deg = new Float64Array(N * K).map((_, i) => (i % K === 0 ? 5 : 0) + 1e-3 * normal(u));
    const d = isotropyScore(deg, N, K).score;
    expect(d).toBeLessThan(1e-4);
    expect(d).toBeGreaterThan(0);
  });

  it('does not overflow for large code norms (log-sum-exp)', () => {
    // V = {(800,0), (0,800)}: Z(+e_k) = e^800 + 1 (overflows as a double), log Z = 800;
    // Z(-e_k) = e^-800 + 1, log Z ~ 0; IS = e^-800 underflows to 0 without NaN.
    const r = isotropyScore([800, 0, 0, 800], 2, 2);
    expect(Math.max(...r.logZ)).toBe(800);
    expect(Math.min(...r.logZ)).toBeCloseTo(0, 12);
    expect(r.score).toBe(0);
  });
});
