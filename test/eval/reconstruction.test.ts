import { describe, expect, it } from 'vitest';
import { idsToLine, reconstructionScores } from '../../eval/reconstruction.ts';
import { gaussianKl, testLossSummary } from '../../eval/test-loss.ts';

describe('reconstruction lines and scores', () => {
  const words = ['<pad>', '<bos>', '<eos>', 'the', 'cat', 'sat'];
  it('cuts at the first <eos>, keeps everything without one, writes <pad>/<bos> literally', () => {
    expect(idsToLine([3, 4, 2, 5, 5], words)).toBe('the cat');
    expect(idsToLine([3, 4, 5], words)).toBe('the cat sat');
    expect(idsToLine([2, 3], words)).toBe('');
    expect(idsToLine([1, 0, 3, 2], words)).toBe('<bos> <pad> the');
    expect(() => idsToLine([9], words)).toThrow(RangeError);
  });
  it('scores lines like reconstruction.py (hand values)', () => {
    // Pair 1 identical 3 words; pair 2 "cat" vs "the cat".
    // BLEU counts: p1 = (3 + 1)/(3 + 1) = 1, p2 = (2 + 0)/(2 + 1) = 2/3; c = 4 < r = 5 -> BP = exp(1 - 5/4).
    // ROUGE-1 F: pair 1 = 2 * (1 / (2 + 1e-8)); pair 2 P = 1, R = 1/2 -> 2 * (0.5 / (1.5 + 1e-8)).
    const s = reconstructionScores(['the cat sat ', 'cat'], ['the cat sat', 'the cat\n']);
    const bp = Math.exp(1 - 5 / 4);
    expect(s.bleu1).toBeCloseTo(bp, 15);
    expect(s.bleu2).toBeCloseTo(bp * Math.sqrt(2 / 3), 15);
    expect(s.rouge1).toBeCloseTo((2 * (1 / (2 + 1e-8)) + 2 * (0.5 / (1.5 + 1e-8))) / 2, 15);
    // ROUGE-2: pair 1 F ~ 1; pair 2 hyp has no bigram -> 0.
    expect(s.rouge2).toBeCloseTo(2 * (1 / (2 + 1e-8)) / 2, 15);
  });
});

describe('test Rec / KL summary', () => {
  it('analytic Gaussian KL, DGP and IGP forms (hand values)', () => {
    // mu = (1, 2), logvar = (0, ln 2): 0.5 * ((1 + 1 - 1 - 0) + (4 + 2 - 1 - ln 2)) = 3 - ln(2)/2.
    expect(gaussianKl([1, 2], [0, Math.log(2)], 1, 2)[0]).toBeCloseTo(3 - Math.log(2) / 2, 14);
    // IGP shared l = 0 per row: 0.5 * (||mu||^2 + K - K - 0) = 2.5; the broadcast [N, K] form agrees.
    expect(gaussianKl([1, 2], [0], 1, 2)[0]).toBe(2.5);
    expect(gaussianKl([1, 2], [0, 0], 1, 2)[0]).toBe(2.5);
  });
  it('mean of per-batch means for Rec, KL and their sum; null KL for the AE', () => {
    // batch 2: rec [10, 20 | 40] -> (15 + 40)/2 = 27.5; kl [1, 3 | 5] -> (2 + 5)/2 = 3.5; sum -> 31.
    expect(testLossSummary([10, 20, 40], [1, 3, 5], 2)).toEqual({ rec: 27.5, kl: 3.5, elbo: 31 });
    expect(testLossSummary([10, 20, 40], null, 2)).toEqual({ rec: 27.5, kl: null, elbo: null });
  });
});
