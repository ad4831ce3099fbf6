import type { DataSource } from '../../core/config.ts';
import { loadBrown, readBrown } from './brown.ts';
import { loadCsvDir, readCsvDir } from './csv-dir.ts';
import { loadPaperDir, readPaperDir } from './paper-dir.ts';
import { SPLIT_NAMES, type Dataset, type LoadOptions, type ReadOptions, type SplitName } from './types.ts';

export type { Dataset, DataReport, LoadOptions, ReadOptions, Split, SplitName, SplitReport } from './types.ts';
export { formatDataReport } from './report.ts';
export { loadBrown, untagBrown } from './brown.ts';
export { loadCsvDir } from './csv-dir.ts';
export { loadPaperDir } from './paper-dir.ts';

/**
 * Load and encode a dataset (the contract's entry point). `source`: `{kind:'brown'}` (embedded Brown
 * corpus), `{kind:'dir', path}` (the paper's directory format) or `{kind:'csv', path}` (train/valid/test.csv).
 * `opts.vocabWords` (top-K training words incl. `unk`), `opts.maxLen` (words, truncation), `opts.seed`
 * (seed of any carved split; pass a data seed that is the same across training seeds so that runs share
 * their test set). Errors: `IsovaeError` E_DATA_MISSING / E_DATA_FORMAT / E_DATA_EMPTY / E_VOCAB naming
 * file and line; RangeError for bad options. Print `formatDataReport(dataset.report)`.
 */
export async function loadDataset(source: DataSource, opts: LoadOptions): Promise<Dataset> {
  switch (source.kind) {
    case 'brown':
      return loadBrown(opts);
    case 'dir':
      return loadPaperDir(source.path, opts);
    case 'csv':
      return loadCsvDir(source.path, opts);
    default:
      throw new TypeError(`loadDataset: unknown source kind ${JSON.stringify((source as { kind?: unknown }).kind)}`);
  }
}

/** The sentences of each split as token lists (see `loadSplitTokens`). */
export interface SplitTokens {
  /** Short name: `brown`, or the directory's base name. */
  name: string;
  /** Per split, the examples in the order `loadDataset` encodes them (empty examples dropped, no truncation). */
  splits: Record<SplitName, string[][]>;
  /** Class id per example, aligned with `splits`. */
  labels: Record<SplitName, Int32Array>;
}

/**
 * The examples of every split as lower-cased tokens (core/tokenize.ts), before any vocabulary or truncation:
 * row i of `splits.test` is the sentence behind row i of `loadDataset(source, opts).test` (same data seed,
 * same `sentences` / `files` options), whatever `vocabWords` and `maxLen` that call used. For evaluating a
 * model on its test sentences with its own vocabulary, or against the original words. Errors as `loadDataset`.
 */
export async function loadSplitTokens(source: DataSource, opts: ReadOptions): Promise<SplitTokens> {
  if (!Number.isFinite(opts.seed)) throw new RangeError(`loadSplitTokens: opts.seed must be a finite number, got ${String(opts.seed)}`);
  const input = source.kind === 'brown' ? readBrown(opts) : source.kind === 'dir' ? readPaperDir(source.path, opts)
    : source.kind === 'csv' ? readCsvDir(source.path, opts) : null;
  if (input === null) throw new TypeError(`loadSplitTokens: unknown source kind ${JSON.stringify((source as { kind?: unknown }).kind)}`);
  const splits = {} as Record<SplitName, string[][]>;
  const labels = {} as Record<SplitName, Int32Array>;
  for (const name of SPLIT_NAMES) {
    // As buildDataset's encodeSplit: every example of every row, in order, empty ones dropped.
    const rows = input.raw[name].rows.flatMap((r) => r.examples.filter((t) => t.length > 0).map((t) => ({ t, label: r.label })));
    splits[name] = rows.map((r) => r.t);
    labels[name] = Int32Array.from(rows, (r) => r.label);
  }
  return { name: input.name, splits, labels };
}
