/**
 * The experiment grid of the paper (protocol §0): the AE, and DGP / IGP VAEs for C in {5, 15, 50},
 * each over the training seeds; plus the sample-efficiency runs (protocol §4.4): DGP and IGP at
 * C = 15 trained on a seeded 0.1% / 1% / 10% subset of the training split (100% is the grid's own
 * C = 15 run). Every run has a stable id that names its directory, so a re-run finds finished work.
 */
import { join, resolve } from 'node:path';
import { resolveTrainConfig, type DataSource, type Posterior, type TrainConfig } from '../core/config.ts';
import { PAPER_RAMP_FRACTION, type ScalePreset } from './presets.ts';

/** The paper's target KL values. */
export const GRID_CS: readonly number[] = [5, 15, 50];
/** Training-data fractions of the sample-efficiency experiment (paper Fig. 2 bottom). */
export const DEFAULT_FRACTIONS: readonly number[] = [0.001, 0.01, 0.1, 1];
/** C of the sample-efficiency experiment. */
export const EFFICIENCY_C = 15;

/** One model configuration of Table 4: `ae`, `diag-5`, `iso-5`, ..., `iso-50` (the keys of PAPER_TABLE4). */
export interface ModelKey {
  key: string;
  posterior: Posterior;
  /** Target KL (null for the AE). */
  c: number | null;
}

/** The 7 model rows of Table 4, in the paper's order. */
export const MODEL_KEYS: readonly ModelKey[] = [
  { key: 'ae', posterior: 'ae', c: null },
  ...GRID_CS.flatMap((c) => (['diag', 'iso'] as const).map((posterior) => ({ key: `${posterior}-${c}`, posterior, c }))),
];

/** One training run of the grid. */
export interface GridRun {
  /** Directory name, e.g. `iso-15-s0` or `diag-15-f0.01-s1`. */
  id: string;
  /** Model key (`ae`, `iso-15`, ...). */
  model: string;
  posterior: Posterior;
  c: number | null;
  seed: number;
  /** Fraction of the training split (1 for the main grid). */
  fraction: number;
  /** Part of the main grid (Table 4) or only of the sample-efficiency experiment. */
  group: 'grid' | 'efficiency';
}

/** Selection of the grid. `only`: model keys (`ae`, `iso-15`), `grid`, `efficiency`; empty = everything. */
export interface GridOptions {
  seeds: readonly number[];
  fractions: readonly number[];
  only: readonly string[];
}

/**
 * The runs to do, grid first (seed-major, so one complete seed finishes before the next starts),
 * then the sample-efficiency subsets (largest fraction first). `only` filters by model key
 * (e.g. `iso-15`), by group (`grid`, `efficiency`) or by run id. RangeError on an unknown filter.
 */
export function gridRuns(opts: GridOptions): GridRun[] {
  const runs: GridRun[] = [];
  for (const seed of opts.seeds) {
    for (const m of MODEL_KEYS) runs.push({ id: `${m.key}-s${seed}`, model: m.key, posterior: m.posterior, c: m.c, seed, fraction: 1, group: 'grid' });
  }
  const subsets = [...opts.fractions].filter((f) => f < 1).sort((a, b) => b - a);
  for (const seed of opts.seeds) {
    for (const f of subsets) {
      for (const posterior of ['diag', 'iso'] as const) {
        runs.push({ id: `${posterior}-${EFFICIENCY_C}-f${f}-s${seed}`, model: `${posterior}-${EFFICIENCY_C}`, posterior, c: EFFICIENCY_C, seed, fraction: f, group: 'efficiency' });
      }
    }
  }
  if (opts.only.length === 0) return runs;
  const known = new Set<string>(['grid', 'efficiency', ...MODEL_KEYS.map((m) => m.key), ...runs.map((r) => r.id)]);
  for (const o of opts.only) {
    if (!known.has(o)) throw new RangeError(`--only "${o}": expected grid, efficiency, a model key (${MODEL_KEYS.map((m) => m.key).join(', ')}) or a run id`);
  }
  const only = new Set(opts.only);
  // A model key alone selects its grid runs; with `efficiency` also its subsets.
  return runs.filter((r) => only.has(r.id) || only.has(r.group) || (only.has(r.model) && (r.group === 'grid' || only.has('efficiency'))));
}

/** Number of training sentences a run sees (mirrors train/trainer.ts `trainingRows`). */
export function trainSentences(nTrain: number, fraction: number, maxTrainSentences: number): number {
  let n = nTrain;
  if (fraction < 1) n = Math.max(1, Math.round(n * fraction));
  if (maxTrainSentences > 0) n = Math.min(n, maxTrainSentences);
  return n;
}

/**
 * The full TrainConfig of a run: preset, data, run-specific posterior / C / seed / fraction and the
 * C warm-up length (see ScalePreset.ramp; subsets always use the fraction rule, since a fixed
 * 5000-step ramp would leave a 0.1% run far below its target C). `nTrain` is the size of the
 * loaded training split. dataSeed stays 0 so that every run shares one test set.
 */
export function runConfig(run: GridRun, preset: ScalePreset, source: DataSource, outDir: string, nTrain: number, extra: Partial<TrainConfig> = {}): TrainConfig {
  // Absolute data path, so that relative and absolute invocations describe the same runs.
  const data: DataSource = source.kind === 'brown' ? source : { ...source, path: resolve(source.path) };
  const base = resolveTrainConfig({ source: `--scale ${preset.scale}`, values: { ...preset.train, ...extra, data } });
  // A capped preset takes the fraction of its cap (the trainer's seeded subsets are then nested).
  const cap = base.maxTrainSentences > 0 && run.fraction < 1 ? Math.max(1, Math.round(base.maxTrainSentences * run.fraction)) : base.maxTrainSentences;
  const n = trainSentences(nTrain, run.fraction, cap);
  const steps = Math.ceil(n / base.batchSize) * base.epochs;
  const cSteps = preset.ramp === 'fixed' && run.fraction === 1 ? base.cSteps : Math.max(1, Math.round(PAPER_RAMP_FRACTION * steps));
  return resolveTrainConfig(
    { source: `--scale ${preset.scale}`, values: { ...preset.train, ...extra, data } },
    { source: `run ${run.id}`, values: { posterior: run.posterior, c: run.c ?? 0, cSteps, seed: run.seed, dataSeed: 0, trainFraction: run.fraction, maxTrainSentences: cap, outDir: join(outDir, 'runs', run.id) } },
  );
}
