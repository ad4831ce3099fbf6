import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { activeUnits } from '../../eval/active-units.ts';
import { aggregatedPosterior, reparameterize } from '../../eval/aggregated.ts';
import { isotropyScore } from '../../eval/isotropy.ts';
import { PAPER_TABLE4 } from '../../eval/paper-results.ts';
import { normal, seededUniform } from '../../eval/random.ts';
import { evaluateRun } from '../../eval/run-metrics.ts';
import { formatMeanStd, markdownTable, summariseRuns } from '../../eval/summary.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

describe('evaluateRun', () => {
  it('wires every metric to the same values as the individual functions', () => {
    const N = 120;
    const K = 4;
    const u = seededUniform(21);
    const labels = Int32Array.from({ length: N }, (_, i) => i % 2);
    const means = new Float64Array(N * K).map((_, j) => (j % K === 0 ? 3 * (labels[Math.floor(j / K)] as number) : 0) + 0.3 * normal(u));
    const logvars = new Float64Array(N).fill(Math.log(0.04)); // IGP: one log-variance per row
    const rec = new Float64Array(N).map((_, i) => 10 + (i % 7));
    const r = evaluateRun(
      {
        N, K, means, logvars, labels, rec, batchSize: 32,
        reconstructions: { hyp: ['a b c', 'x'], ref: ['a b c', 'y'] },
        perturbedMeans: means,
      },
      { classification: { classifiers: 1 } },
    );
    expect(r.au).toBe(activeUnits(means, N, K).count);
    expect(r.isotropy.mean).toBe(isotropyScore(means, N, K).score);
    // The seeded stream (seed 0) draws the 5 aggregated repeats first, then the isotropy sample.
    const rng = seededUniform(0);
    const agg = aggregatedPosterior(() => reparameterize(means, logvars, N, K, rng), N, K, 5);
    expect(r.aggregated.logDet).toBe(agg.logDet);
    expect(r.isotropy.sample).toBe(isotropyScore(reparameterize(means, logvars, N, K, rng), N, K).score);
    expect(r.rec).not.toBeNull();
    expect(r.kl).toBeGreaterThan(0);
    expect(r.elbo).toBeCloseTo((r.rec as number) + (r.kl as number), 10); // sum of two means of batch means
    expect(r.reconstruction?.bleu1).toBeCloseTo(0.75, 15); // p1 = 3/4, c = r = 4 -> BP = 1
    expect(r.classification?.mean).toBeGreaterThan(0.9); // classes 3 apart on dim 0
    expect(r.robustness?.accuracies).toEqual(r.classification?.accuracies); // same features, same seed
    expect(JSON.parse(JSON.stringify(r))).toEqual(r); // results.json round trip
  });
  it('AE: no logvars -> KL null, sample = codes, classification can be skipped', () => {
    const means = [0, 1, 1, 0, 2, 2, 3, 1];
    const r = evaluateRun({ N: 4, K: 2, means, logvars: null, labels: [0, 1, 0, 1], batchSize: 2 }, { classification: false });
    expect([r.kl, r.rec, r.classification]).toEqual([null, null, null]);
    expect(r.isotropy.sample).toBe(r.isotropy.mean);
  });
});

describe('summary helpers', () => {
  it('summariseRuns: mean and population std per numeric path, skipping nulls and arrays', () => {
    const s = summariseRuns([
      { au: 8, a: { b: 1 }, list: [1, 2] },
      { au: 8, a: { b: 3 } },
      { au: 10, a: { b: null } },
    ]);
    expect(s['au']?.mean).toBeCloseTo(26 / 3, 14);
    expect(s['au']?.std).toBeCloseTo(Math.sqrt(8 / 9), 14); // ddof 0 of {8, 8, 10}
    expect(s['a.b']).toEqual({ mean: 2, std: 1, n: 2 });
    expect(Object.keys(s).sort()).toEqual(['a.b', 'au']);
  });
  it('formats mean±std with a scale, and Markdown tables', () => {
    expect(formatMeanStd({ mean: 0.3723, std: 0.0027, n: 3 }, 2, 100)).toBe('37.23±0.27');
    expect(formatMeanStd({ mean: 5, std: 0, n: 1 }, 1)).toBe('5.0');
    expect(formatMeanStd(null)).toBe('-');
    expect(markdownTable(['a', 'b|c'], [['1', '2']])).toBe('| a | b\\|c |\n|---|---|\n| 1 | 2 |\n');
  });
  it('paper Table 4 data: AU 8.7 ± 0.9 for DBpedia DGP C=15 and no KL for the AE', () => {
    expect(PAPER_TABLE4.dbpedia['diag-15']?.au).toEqual({ mean: 8.7, std: 0.9 });
    expect(PAPER_TABLE4.yahoo['ae']?.kl).toBeNull();
  });
});
