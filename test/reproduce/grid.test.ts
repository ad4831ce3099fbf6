import { describe, expect, it } from 'vitest';
import { DEFAULT_FRACTIONS, gridRuns, MODEL_KEYS, runConfig, trainSentences } from '../../reproduce/grid.ts';
import { PAPER_RAMP_FRACTION, presetOf } from '../../reproduce/presets.ts';
import { evalIndices, standardize } from '../../reproduce/evaluate.ts';
import { comparableConfig } from '../../reproduce/records.ts';
import { PAPER_TABLE4 } from '../../eval/index.ts';

describe('gridRuns', () => {
  it('is the paper grid: 7 models x seeds, plus 2 posteriors x 3 subsets x seeds', () => {
    const runs = gridRuns({ seeds: [0, 1, 2], fractions: DEFAULT_FRACTIONS, only: [] });
    // 3 seeds x (AE + 2 posteriors x 3 C) = 21 grid runs (protocol §0), and 3 x 2 x 3 = 18 subset runs.
    expect(runs.filter((r) => r.group === 'grid')).toHaveLength(21);
    expect(runs.filter((r) => r.group === 'efficiency')).toHaveLength(18);
    expect(new Set(runs.map((r) => r.id)).size).toBe(39);
    // Every model key is a row of the paper's Table 4.
    expect(MODEL_KEYS.map((m) => m.key).sort()).toEqual(Object.keys(PAPER_TABLE4.dbpedia).sort());
    expect(runs[0]).toEqual({ id: 'ae-s0', model: 'ae', posterior: 'ae', c: null, seed: 0, fraction: 1, group: 'grid' });
  });

  it('filters by model key, group and run id, and rejects unknown filters', () => {
    const base = { seeds: [0], fractions: [0.01, 1] };
    expect(gridRuns({ ...base, only: ['iso-15'] }).map((r) => r.id)).toEqual(['iso-15-s0']);
    expect(gridRuns({ ...base, only: ['iso-15', 'efficiency'] }).map((r) => r.id)).toEqual(['iso-15-s0', 'diag-15-f0.01-s0', 'iso-15-f0.01-s0']);
    expect(gridRuns({ ...base, only: ['diag-15-f0.01-s0'] }).map((r) => r.id)).toEqual(['diag-15-f0.01-s0']);
    expect(() => gridRuns({ ...base, only: ['iso-7'] })).toThrow(RangeError);
  });
});

describe('runConfig', () => {
  it('scales the C warm-up to the run and nests capped subsets', () => {
    const tiny = presetOf('tiny');
    const [grid, sub] = gridRuns({ seeds: [3], fractions: [0.1, 1], only: ['iso-15', 'efficiency'] }).filter((r) => r.posterior === 'iso');
    const a = runConfig(grid!, tiny, { kind: 'brown' }, '/x', 50_000);
    // tiny caps at 1000 sentences, batch 64, 2 epochs: ceil(1000/64) = 16 steps/epoch -> 32 steps; ramp = round(0.2285 * 32) = 7.
    expect(a.maxTrainSentences).toBe(1000);
    expect(a.cSteps).toBe(Math.round(PAPER_RAMP_FRACTION * 32));
    expect(a.cSteps).toBe(7);
    expect([a.posterior, a.c, a.seed, a.dataSeed, a.outDir]).toEqual(['iso', 15, 3, 0, '/x/runs/iso-15-s3']);
    const b = runConfig(sub!, tiny, { kind: 'brown' }, '/x', 50_000);
    // 10% of the cap: 100 sentences -> 2 steps/epoch -> 4 steps -> round(0.914) = 1.
    expect([b.trainFraction, b.maxTrainSentences, b.cSteps]).toEqual([0.1, 100, 1]);
    expect(trainSentences(50_000, 0.1, 100)).toBe(100);
    // The paper preset keeps the code's fixed 5000-step ramp for full-data runs.
    expect(runConfig(grid!, presetOf('paper'), { kind: 'brown' }, '/x', 140_000).cSteps).toBe(5000);
  });

  it('compares configs without outDir, workers and backend', () => {
    const run = gridRuns({ seeds: [0], fractions: [1], only: ['ae'] })[0]!;
    const a = runConfig(run, presetOf('small'), { kind: 'brown' }, '/a', 1000, { workers: 2, backend: 'wasm' });
    const b = runConfig(run, presetOf('small'), { kind: 'brown' }, '/b', 1000);
    expect(JSON.stringify(comparableConfig(a))).toBe(JSON.stringify(comparableConfig(b)));
    expect(() => presetOf('huge')).toThrow(RangeError);
  });
});

describe('standardize', () => {
  it('z-scores each column with the population std; a constant column becomes 0', () => {
    // column 0: [1, 3] -> mean 2, std 1 -> [-1, 1]; column 1: [5, 5] -> constant -> [0, 0]
    expect(Array.from(standardize([1, 5, 3, 5], 2, 2))).toEqual([-1, 0, 1, 0]);
  });
});

describe('evalIndices', () => {
  it('takes every row, or an evenly strided subset like the trainer', () => {
    expect(evalIndices(4, 0)).toEqual([0, 1, 2, 3]);
    // stride 10/4 = 2.5: floor(0, 2.5, 5, 7.5)
    expect(evalIndices(10, 4)).toEqual([0, 2, 5, 7]);
  });
});
