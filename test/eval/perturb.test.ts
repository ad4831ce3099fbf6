import { describe, expect, it } from 'vitest';
import {
  dimensionwiseHomotopy,
  homotopyWeights,
  imputationPrefixLength,
  keptWordCount,
  linearHomotopy,
  wordDeletion,
} from '../../eval/perturb.ts';
import { permutation, sampleWithoutReplacement, seededUniform } from '../../eval/random.ts';
import { meanOfBatchMeans, meanStd } from '../../eval/stats.ts';

describe('wordDeletion (protocol 4.5)', () => {
  it('keeps floor(0.7 n) words in the original order', () => {
    // Python int(0.7 * n): n=1 -> 0, 2 -> 1, 3 -> 2 (0.7*3 = 2.0999999999999996), 10 -> 7, 20 -> 14.
    expect([1, 2, 3, 10, 20].map((n) => keptWordCount(n))).toEqual([0, 1, 2, 7, 14]);
    const u = seededUniform(0);
    const words = 'w0 w1 w2 w3 w4 w5 w6 w7 w8 w9'.split(' ');
    for (let t = 0; t < 50; t++) {
      const kept = wordDeletion(words, u);
      expect(kept).toHaveLength(7);
      const pos = kept.map((x) => words.indexOf(x));
      expect(pos).toEqual([...pos].sort((a, b) => a - b)); // sorted = order preserved
      expect(new Set(pos).size).toBe(7); // without replacement
    }
    expect(wordDeletion(['only'], u)).toEqual([]);
  });

  it('chooses positions uniformly: each of 10 positions kept ~70% of the time', () => {
    // Expected 0.7 per position; over 4000 seeded draws the binomial std is ~0.007, so 0.05 is loose.
    const u = seededUniform(11);
    const words = Array.from({ length: 10 }, (_, i) => i);
    const hits = new Array<number>(10).fill(0);
    for (let t = 0; t < 4000; t++) for (const i of wordDeletion(words, u)) hits[i] = (hits[i] as number) + 1;
    for (const h of hits) expect(Math.abs(h / 4000 - 0.7)).toBeLessThan(0.05);
  });

  it('permutation and sampleWithoutReplacement return valid index sets', () => {
    const u = seededUniform(5);
    expect(Array.from(permutation(9, u)).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new Set(sampleWithoutReplacement(9, 9, u)).size).toBe(9);
    expect(() => sampleWithoutReplacement(3, 4, u)).toThrow(RangeError);
  });
});

describe('imputation and homotopy helpers (protocol 4.8, 4.9)', () => {
  it('prefix length floor(0.25 prop n): Table 1 cases 25 -> 6 and 27 -> 6 words at prop = 1', () => {
    expect(imputationPrefixLength(25, 1)).toBe(6);
    expect(imputationPrefixLength(27, 1)).toBe(6);
    expect([1, 2, 3, 4].map((p) => imputationPrefixLength(10, p))).toEqual([2, 5, 7, 10]);
    expect(() => imputationPrefixLength(10, 5)).toThrow(RangeError);
  });
  it('linear homotopy weights are (1 - 0.2 i, 0.2 i), i = 0..5', () => {
    expect(homotopyWeights()).toEqual([0, 1, 2, 3, 4, 5].map((i) => [1 - 0.2 * i, 0.2 * i]));
    const pts = linearHomotopy([0, 10], [10, 0]);
    expect(pts).toHaveLength(6);
    expect(Array.from(pts[0] as Float64Array)).toEqual([0, 10]);
    expect(Array.from(pts[5] as Float64Array)).toEqual([10, 0]);
  });
  it('dimension-wise homotopy accumulates switched coordinates until z = z2', () => {
    const rows = dimensionwiseHomotopy([0, 0, 0], [4, 8, -4]);
    expect(rows).toHaveLength(3);
    // dim 0, i = 2: (1 - 0.5) * 0 + 0.5 * 4 = 2, others at z1.
    expect(Array.from(rows[0]?.[2] as Float64Array)).toEqual([2, 0, 0]);
    // dim 1 starts from the finished dim 0: i = 1 -> (4, 0.25 * 8, 0).
    expect(Array.from(rows[1]?.[1] as Float64Array)).toEqual([4, 2, 0]);
    expect(Array.from(rows[2]?.[4] as Float64Array)).toEqual([4, 8, -4]);
  });
});

describe('aggregation helpers', () => {
  it('meanStd uses the population std (ddof = 0): {8, 8, 10} -> 8.667 +- 0.943 (Table 4 AU 8.7 +- 0.9)', () => {
    const r = meanStd([8, 8, 10]);
    expect(r.mean).toBeCloseTo(26 / 3, 14);
    expect(r.std).toBeCloseTo(Math.sqrt(8 / 9), 14); // deviations -2/3, -2/3, 4/3 -> (4+4+16)/9/3 = 8/9
  });
  it('meanOfBatchMeans averages per-batch means (last batch partial)', () => {
    // Batches of 2: [1, 3] -> 2, [5, 7] -> 6, [20] -> 20; mean of means = 28/3 (plain mean would be 7.2).
    expect(meanOfBatchMeans([1, 3, 5, 7, 20], 2)).toBeCloseTo(28 / 3, 14);
  });
});
