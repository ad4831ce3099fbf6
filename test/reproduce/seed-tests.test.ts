import { describe, expect, it } from 'vitest';
import { seedTestSection } from '../../reproduce/markdown.ts';
import type { RunRecord } from '../../reproduce/records.ts';
import { buildSeedTests } from '../../reproduce/results.ts';

/** A record with only what the seed tests read (the rest of RunRecord is irrelevant to them). */
function rec(posterior: 'ae' | 'diag' | 'iso', c: number | null, seed: number, accuracy: number, extra: { group?: 'grid' | 'efficiency'; logDet?: number } = {}): RunRecord {
  const metrics: Record<string, unknown> = { classification: { mean: accuracy }, au: 32 };
  if (extra.logDet !== undefined) metrics['aggregated'] = { logDet: extra.logDet };
  return {
    id: `${posterior}-${c}-s${seed}`, model: posterior === 'ae' ? 'ae' : `${posterior}-${c}`, posterior, c, seed,
    fraction: extra.group === 'efficiency' ? 0.1 : 1, group: extra.group ?? 'grid', metrics,
  } as unknown as RunRecord;
}

describe('buildSeedTests (IGP vs DGP over training seeds)', () => {
  // Accuracies (fractions) whose x100 values are the two samples of Go x/perf's TwoSampleWelchTTest test:
  // [6, 5, 7, 9] vs [2, 1, 3, 4] -> t = 3.9703446152237674, df = 5.584615384615385, p = 0.0085128631313781695.
  const records = [
    ...[0.02, 0.01, 0.03, 0.04].map((a, s) => rec('diag', 15, s, a, { logDet: -10 - s })),
    ...[0.06, 0.05, 0.07, 0.09].map((a, s) => rec('iso', 15, s, a)),
    rec('ae', null, 0, 0.5),
    rec('diag', 5, 0, 0.1), rec('iso', 5, 0, 0.2), rec('iso', 5, 1, 0.3), // C = 5: one DGP seed, no test
    rec('diag', 15, 9, 0.99, { group: 'efficiency' }), // a subset run: not part of the grid's seeds
  ];

  it("tests each metric both sides have, in the report's units, against an independent implementation", () => {
    const tests = buildSeedTests(records);
    expect(tests.map((t) => t.c)).toEqual([15]);
    const acc = tests[0]!.rows.find((r) => r.metric === 'metrics.classification.mean')!;
    expect(acc.label).toBe('accuracy %');
    expect(acc.diag.mean).toBeCloseTo(2.5, 12);
    expect(acc.iso.mean).toBeCloseTo(6.75, 12);
    expect(acc.diag.n).toBe(4);
    expect(acc.diff).toBeCloseTo(4.25, 12);
    expect(acc.t).toBeCloseTo(3.9703446152237674, 10);
    expect(acc.df).toBeCloseTo(5.584615384615385, 10);
    expect(acc.p).toBeCloseTo(0.0085128631313781695, 10);
    // AU is identical everywhere: t = 0, p = 1. log det exists for DGP only: left out.
    const au = tests[0]!.rows.find((r) => r.metric === 'metrics.au')!;
    expect([au.t, au.p]).toEqual([0, 1]);
    expect(tests[0]!.rows.map((r) => r.metric)).toEqual(['metrics.classification.mean', 'metrics.au']);
  });

  it('prints one table per C, and says why when there is nothing to test', () => {
    const md = seedTestSection(buildSeedTests(records));
    expect(md).toContain('C=15 (DGP 4 seeds, IGP 4 seeds):');
    expect(md).toContain('| accuracy % | 2.500±1.118 | 6.750±1.479 | 4.250 | 3.97 | 5.6 | 0.0085 |');
    expect(md).toContain('| AU | 32.000±0.000 | 32.000±0.000 | 0.000 | 0.00 | - | 1.00 |');
    expect(seedTestSection(buildSeedTests(records.filter((r) => r.posterior !== 'iso')))).toContain('Needs at least 2 seeds');
  });
});
