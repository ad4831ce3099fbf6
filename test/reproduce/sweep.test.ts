import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReproduceResults } from '../../reproduce/results.ts';
import { readResults, sweepGaps, sweepMarkdown, sweepRows, sweepTest, sweepTestsMarkdown } from '../../reproduce/sweep.ts';

const dir = mkdtempSync(join(tmpdir(), 'isovae-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A grid run record with the metrics the sweep reads (values chosen by hand). */
function run(posterior: 'diag' | 'iso', seed: number, au: number, acc: number, group: 'grid' | 'efficiency' = 'grid', c = 15) {
  return {
    id: `${posterior}-${c}-s${seed}`, model: `${posterior}-${c}`, posterior, c, seed, fraction: 1, group, trainSentences: 100, testSentences: 10, tTest: 5,
    config: { embeddingDim: 8, hiddenDim: 16, vocabWords: 50, batchSize: 10, epochs: 2 },
    history: seed === 1 ? [{ epoch: 1, step: 10 }, { epoch: 2, step: 17 }] : undefined,
    metrics: { rec: 50 + seed, kl: 15, au, spectrum: { activeDirections: au - 1, effectiveRank: 2 }, isotropy: { mean: 0.5, sample: 0.25 }, aggregated: { logDet: -3 }, classification: { mean: acc }, reconstruction: { bleu2: 0.3 } },
  };
}

describe('scale sweep', () => {
  const results = {
    format: 'isovae-reproduce', scale: 'tiny',
    runs: [run('diag', 0, 4, 0.5), run('diag', 1, 6, 0.7), run('iso', 0, 32, 0.6), run('iso', 1, 32, 0.6), run('iso', 2, 1, 0.1, 'efficiency'), run('iso', 3, 1, 0.1, 'grid', 5)],
  } as unknown as ReproduceResults;

  it('aggregates the C = 15 grid runs per posterior over seeds (population std), ignoring subsets and other C', () => {
    const rows = sweepRows(results, 'tiny');
    expect(rows.map((r) => [r.scale, r.posterior, r.seeds])).toEqual([['tiny', 'diag', [0, 1]], ['tiny', 'iso', [0, 1]]]);
    const d = rows[0]!.cell;
    expect(d.au).toMatchObject({ mean: 5, std: 1, n: 2 }); // (4 + 6) / 2; population std of {4, 6} = 1
    expect(d.accuracy!.mean).toBeCloseTo(60, 10); // % of (0.5 + 0.7) / 2
    expect(d.accuracy!.std).toBeCloseTo(10, 10);
    expect(d.activeDirections!.mean).toBe(4);
    expect(d.bleu2!.mean).toBeCloseTo(30, 10);
    // seed 0 has no history: 100 sentences / batch 10 × 2 epochs = 20 steps; seed 1 stopped early at step 17.
    expect(rows[0]!.size.steps).toBe('17-20');
    expect(sweepGaps(rows)).toEqual([{ scale: 'tiny', gaps: expect.objectContaining({ au: 27, accuracy: 0, isotropyMean: 0 }) }]);
  });

  it('prints one row per scale and posterior, then the paper rows', () => {
    const md = sweepMarkdown(sweepRows(results, 'tiny'));
    const lines = md.trim().split('\n');
    expect(lines).toHaveLength(2 + 2 + 2);
    expect(lines[2]).toMatch(/^\| tiny \| DGP \| 8 \/ 16 \/ 50 \| 100 \| 17-20 \| 2 \| 5\.0±1\.0 \|/);
    expect(lines[4]).toMatch(/^\| paper \| DGP \|.*\| 8\.7 \|/);
    expect(lines[5]).toMatch(/^\| paper \| IGP \|.*\| 32\.0 \|/);
  });

  it('tests IGP − DGP over the C = 15 seeds per scale (Welch) and prints gap and p per metric', () => {
    const t = sweepTest(results, 'tiny');
    expect(t.test!.c).toBe(15);
    // Active directions: IGP {31, 31} vs DGP {3, 5}: diff 27, se = sqrt(2 / 2) = 1, t = 27, df = 1 (all variance on one
    // side with n = 2), so p is the Cauchy tail 1 − (2/π) atan 27.
    const dirs = t.test!.rows.find((r) => r.metric === 'metrics.spectrum.activeDirections')!;
    expect([dirs.diff, dirs.t, dirs.df]).toEqual([27, 27, 1]);
    const p = 1 - (2 / Math.PI) * Math.atan(27);
    expect(dirs.p).toBeCloseTo(p, 12);
    const md = sweepTestsMarkdown([t, { scale: 'one-seed', test: null }]);
    const tiny = md.split('\n').find((l) => l.startsWith('| tiny |'))!;
    expect(tiny).toContain(`| 2 | +27.0 (p ${p.toPrecision(2)}) |`);
    expect(tiny).toContain('| 0.0 (p 1.00) |'); // accuracy: 60 vs 60
    expect(md).toContain('| one-seed | - | - | - |');
  });

  it('reading a file that is not a reproduction report is an error naming it', () => {
    const f = join(dir, 'other.json');
    writeFileSync(f, JSON.stringify({ format: 'something-else' }));
    expect(() => readResults(f)).toThrow(/other\.json: not an isovae reproduce results\.json/);
    expect(() => readResults(join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read/);
  });
});
