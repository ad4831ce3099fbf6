import type { DataSource } from '../../core/config.ts';
import { loadBrown } from './brown.ts';
import { loadCsvDir } from './csv-dir.ts';
import { loadPaperDir } from './paper-dir.ts';
import type { Dataset, LoadOptions } from './types.ts';

export type { Dataset, DataReport, LoadOptions, Split, SplitName, SplitReport } from './types.ts';
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
