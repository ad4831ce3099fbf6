import type { SentenceMode } from '../../core/tokenize.ts';
import type { Vocab } from '../../core/vocab.ts';

/** One split, encoded: each row is word ids then one EOS (no BOS, no padding). */
export interface Split {
  ids: Int32Array[];
  /** Class id per row, aligned with `ids`. */
  labels: Int32Array;
}

/** A loaded, encoded dataset (the contract's Dataset). */
export interface Dataset {
  vocab: Vocab;
  train: Split;
  valid: Split;
  test: Split;
  /** Class names indexed by class id. */
  classes: string[];
  report: DataReport;
  /** Short name: `brown`, or the directory's base name (e.g. `dbpedia`). */
  name: string;
}

/** The three splits, in the order they are loaded and reported. */
export type SplitName = 'train' | 'valid' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'valid', 'test'];

/** Options of `loadDataset`. */
export interface LoadOptions {
  /** Top-K words of the training split kept in the vocabulary (incl. `unk`; V = vocabWords + 3). Ignored by the paper format (its vocab.txt is used). */
  vocabWords: number;
  /** Maximum sentence length in words (EOS excluded); longer sentences are truncated and counted. */
  maxLen: number;
  /** Seed of the train/valid/test split where a source has none (Brown; CSV or paper dirs missing valid/test). */
  seed: number;
  /** CSV only: how a multi-sentence row becomes examples (default `first`, see core/tokenize.ts SentenceMode). */
  sentences?: SentenceMode;
  /** CSV only: file names per split, overriding `train.csv` etc.; `null` = carve this split from train. */
  files?: Partial<Record<SplitName, string | null>>;
}

/** Counts for one split; every row read is accounted for (kept + dropped). */
export interface SplitReport {
  /** Where the split came from, e.g. `train.csv` or `train.csv (seeded 10% split)`. */
  source: string;
  /** Data rows read (CSV records / text lines / Brown sentences) assigned to this split. */
  rowsRead: number;
  /** Blank lines skipped (CSV only; a blank line is not a row). */
  blankLines: number;
  /** Sentences left out of multi-sentence rows in `first` mode. */
  sentencesSkipped: number;
  /** Examples produced (= kept + droppedEmpty). */
  examples: number;
  kept: number;
  /** Examples with no token after tokenisation, dropped. */
  droppedEmpty: number;
  /** Kept examples longer than maxLen words, cut to maxLen. */
  truncated: number;
  /** Word tokens in the kept examples after truncation (EOS excluded). */
  tokens: number;
  /** Of `tokens`, how many map to the `unk` id (out-of-vocabulary words and literal `unk`). */
  unkTokens: number;
  /** unkTokens / tokens (0 when tokens = 0). */
  unkRate: number;
  /** Length percentiles (words, before truncation) of the kept examples: p50, p90, p95, p99, max. */
  lengths: { p50: number; p90: number; p95: number; p99: number; max: number };
}

/** What loading did, for the trainer to print (`formatDataReport`). */
export interface DataReport {
  name: string;
  /** Directory or package the data came from. */
  source: string;
  splits: Record<SplitName, SplitReport>;
  /** Requested vocabulary words (K) and resulting V (incl. specials). */
  vocabWords: number;
  vocabSize: number;
  /** Distinct words in the training examples and the fraction of training tokens inside the vocabulary. */
  trainDistinctWords: number;
  maxLen: number;
  numClasses: number;
  /** Anything else worth knowing (vocab.txt lacked `unk`, a split was carved from train, ...). */
  notes: string[];
  /** Wall-clock load time in milliseconds. */
  millis: number;
}

/**
 * One data row before encoding: a CSV record, a text line, or a Brown sentence. `group` keeps rows that
 * must stay in the same split together when a split is carved (a Brown file; otherwise the row itself).
 */
export interface RawRow {
  group: number;
  label: number;
  /** Token lists of the examples this row yields (one, except CSV `all` mode). */
  examples: string[][];
  /** Sentences of the row left out (`first` mode). */
  skipped: number;
}

/** A split before encoding. */
export interface RawSplit {
  source: string;
  blankLines: number;
  rows: RawRow[];
}

/** What the readers need: the options that decide which sentences are in which split (no vocabulary, no truncation). */
export type ReadOptions = Pick<LoadOptions, 'seed' | 'sentences' | 'files'>;

/** Everything a loader gathered, before encoding (a reader's result). */
export interface RawInput {
  name: string;
  source: string;
  raw: Record<SplitName, RawSplit>;
  classes: string[];
  /** A fixed vocabulary (paper format); otherwise `buildDataset` takes the top `opts.vocabWords` training words. */
  vocab?: Vocab;
  notes: string[];
  /** `performance.now()` when loading started, for `report.millis`. */
  startedAt: number;
}
