import { describe, expect, it } from 'vitest';
import { aggregatedPosterior, logDetCov, reparameterize, squaredNormOfMean } from '../../eval/aggregated.ts';
import { seededUniform } from '../../eval/random.ts';

// Rows (1,2), (2,1), (3,5): column means (2, 8/3). By hand, with the N-1 = 2 normaliser:
// var0 = (1 + 0 + 1)/2 = 1; var1 = ((2/3)^2 + (5/3)^2 + (7/3)^2)/2 = 78/18 = 13/3;
// cov01 = ((-1)(-2/3) + 0 + (1)(7/3))/2 = 3/2; det = 13/3 - 9/4 = 25/12.
const S = [1, 2, 2, 1, 3, 5];

describe('aggregated posterior statistics', () => {
  it('logDetCov = ln(25/12) for the hand 2x2 case', () => {
    expect(logDetCov(S, 3, 2)).toBeCloseTo(Math.log(25 / 12), 14);
  });
  it('squaredNormOfMean = 2^2 + (8/3)^2 = 100/9', () => {
    expect(squaredNormOfMean(S, 3, 2)).toBeCloseTo(100 / 9, 14);
  });
  it('a rank-deficient sample (N <= K) has log det -Infinity', () => {
    expect(logDetCov([1, 2, 3, 4, 5, 7], 2, 3)).toBe(-Infinity);
  });
  it('aggregatedPosterior averages over repeats', () => {
    // Repeat 0: S; repeat 1: 2S (cov x4 -> det x16; mean x2 -> norm x4).
    const r = aggregatedPosterior((i) => S.map((x) => x * (i + 1)), 3, 2, 2);
    expect(r.repeats).toHaveLength(2);
    expect(r.logDet).toBeCloseTo((Math.log(25 / 12) + Math.log((16 * 25) / 12)) / 2, 13);
    expect(r.meanSqNorm).toBeCloseTo(((1 + 4) * 100) / 9 / 2, 13);
  });
  it('reparameterize: an IGP sample with logvar ln(0.25) has std 0.5 around the mean', () => {
    const N = 20000;
    const K = 2;
    const means = new Float64Array(N * K).fill(3);
    const logvars = new Float64Array(N).fill(Math.log(0.25)); // one shared log-variance per row
    const z = reparameterize(means, logvars, N, K, seededUniform(1));
    // Statistical reference: the sample mean of N(3, 0.5^2) over 40,000 draws is within ~0.01 of 3.
    let s = 0;
    let ss = 0;
    for (const x of z) {
      s += x;
      ss += (x - 3) ** 2;
    }
    expect(s / z.length).toBeCloseTo(3, 1);
    expect(Math.sqrt(ss / z.length)).toBeCloseTo(0.5, 1);
    // With the ln-det of the sample covariance ~ 2 ln(0.25) = -2.77 for K = 2.
    expect(logDetCov(z, N, K)).toBeCloseTo(2 * Math.log(0.25), 1);
    expect(reparameterize(means, null, N, K, seededUniform(1))).toEqual(means);
  });
});
