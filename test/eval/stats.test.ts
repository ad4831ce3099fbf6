import { describe, expect, it } from 'vitest';
import { studentTTwoSidedP, welchTTest } from '../../eval/index.ts';

describe('studentTTwoSidedP', () => {
  it('matches the closed forms for 1 and 2 degrees of freedom over a range of t', () => {
    // df = 1 (Cauchy): P(|T| >= t) = 1 − (2/π) atan|t|.  df = 2: P(|T| >= t) = 1 − |t| / sqrt(2 + t²).
    for (const t of [0, 0.1, 0.5, 1, 2.5, 7, 40, -3]) {
      expect(studentTTwoSidedP(t, 1)).toBeCloseTo(1 - (2 / Math.PI) * Math.atan(Math.abs(t)), 12);
      expect(studentTTwoSidedP(t, 2)).toBeCloseTo(1 - Math.abs(t) / Math.sqrt(2 + t * t), 12);
    }
  });

  it('matches printed critical values of the t table', () => {
    // Two-sided 5% and 10% points from a standard t table (6 significant digits).
    expect(studentTTwoSidedP(12.7062, 1)).toBeCloseTo(0.05, 5);
    expect(studentTTwoSidedP(4.30265, 2)).toBeCloseTo(0.05, 5);
    expect(studentTTwoSidedP(2.77645, 4)).toBeCloseTo(0.05, 5);
    expect(studentTTwoSidedP(2.22814, 10)).toBeCloseTo(0.05, 5);
    expect(studentTTwoSidedP(1.81246, 10)).toBeCloseTo(0.10, 5);
    // Large df tends to the normal: 1.959964 is the two-sided 5% point of N(0, 1).
    expect(studentTTwoSidedP(1.959964, 1e7)).toBeCloseTo(0.05, 5);
  });

  it('is 0 for an infinite t and rejects bad degrees of freedom', () => {
    expect(studentTTwoSidedP(Infinity, 3)).toBe(0);
    expect(() => studentTTwoSidedP(1, 0)).toThrow(/df: expected > 0/);
    expect(() => studentTTwoSidedP(Number.NaN, 3)).toThrow(/t: is NaN/);
  });
});

describe('welchTTest', () => {
  it('matches an independent implementation (Go x/perf stats, TwoSampleWelchTTest test values)', () => {
    const r = welchTTest([2, 1, 3, 4], [6, 5, 7, 9]);
    expect(r.t).toBeCloseTo(-3.9703446152237674, 12);
    expect(r.df).toBeCloseTo(5.584615384615385, 12);
    expect(r.p).toBeCloseTo(0.0085128631313781695, 12);
    expect(r.diff).toBeCloseTo(2.5 - 6.75, 12);
    const same = welchTTest([2, 1, 3, 4], [2, 1, 3, 4]);
    expect(same.t).toBe(0);
    expect(same.p).toBeCloseTo(1, 12);
  });

  it('handles constant samples and rejects samples with fewer than 2 values', () => {
    expect(welchTTest([3, 3], [3, 3])).toMatchObject({ t: 0, p: 1 });
    expect(welchTTest([4, 4], [3, 3])).toMatchObject({ t: Infinity, p: 0 });
    expect(() => welchTTest([1], [1, 2])).toThrow(/welchTTest a: has 1 value/);
    expect(() => welchTTest([1, 2], [])).toThrow(/welchTTest b: has 0 value/);
  });
});
