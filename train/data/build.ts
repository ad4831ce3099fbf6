import { IsovaeError } from '../../core/errors.ts';
import { buildVocab, countWords, type Vocab } from '../../core/vocab.ts';
import { SPLIT_NAMES, type DataReport, type Dataset, type LoadOptions, type RawInput, type RawSplit, type Split, type SplitName, type SplitReport } from './types.ts';

/** A reader's result plus the encoding options. */
export interface BuildInput extends RawInput {
  opts: LoadOptions;
}

/**
 * Encode the raw splits into a `Dataset`: build the vocabulary from the training examples (all of
 * their tokens, before truncation) unless one is given, drop empty examples, truncate to
 * `opts.maxLen` words, append EOS, and count everything in the report. A split with no kept example
 * is `IsovaeError('E_DATA_EMPTY')`.
 */
export function buildDataset(input: BuildInput): Dataset {
  const { opts } = input;
  checkOptions(opts);
  const trainTokens = input.raw.train.rows.flatMap((r) => r.examples).filter((t) => t.length > 0);
  const vocab = input.vocab ?? buildVocab(trainTokens, opts.vocabWords);
  const splits = {} as Record<SplitName, Split>;
  const reports = {} as Record<SplitName, SplitReport>;
  for (const name of SPLIT_NAMES) {
    const { split, report } = encodeSplit(input.raw[name], vocab, opts.maxLen);
    if (split.ids.length === 0) {
      throw new IsovaeError('E_DATA_EMPTY', `${input.source}: the ${name} split (${report.source}) has no usable rows ` +
        `(${report.rowsRead} rows read, ${report.droppedEmpty} empty); add data or remove the file so it is carved from train.`);
    }
    for (let i = 0; i < split.labels.length; i++) {
      const label = split.labels[i] as number;
      if (label >= input.classes.length) throw new RangeError(`buildDataset: label ${label} in ${name} >= number of classes ${input.classes.length}`);
    }
    splits[name] = split;
    reports[name] = report;
  }
  const report: DataReport = {
    name: input.name,
    source: input.source,
    splits: reports,
    vocabWords: opts.vocabWords,
    vocabSize: vocab.size,
    trainDistinctWords: countWords(trainTokens).size,
    maxLen: opts.maxLen,
    numClasses: input.classes.length,
    notes: input.notes,
    millis: Math.round(performance.now() - input.startedAt),
  };
  return { vocab, train: splits.train, valid: splits.valid, test: splits.test, classes: input.classes, report, name: input.name };
}

function encodeSplit(raw: RawSplit, vocab: Vocab, maxLen: number): { split: Split; report: SplitReport } {
  const ids: Int32Array[] = [];
  const labels: number[] = [];
  const lengths: number[] = [];
  let examples = 0, droppedEmpty = 0, truncated = 0, tokens = 0, unkTokens = 0, skipped = 0;
  for (const row of raw.rows) {
    skipped += row.skipped;
    for (const toks of row.examples) {
      examples++;
      if (toks.length === 0) { droppedEmpty++; continue; }
      if (toks.length > maxLen) truncated++;
      const enc = vocab.encodeTokens(toks, maxLen); // [min(len, maxLen) + 1], last = EOS
      for (let i = 0; i < enc.length - 1; i++) if (enc[i] === vocab.unkId) unkTokens++;
      tokens += enc.length - 1;
      lengths.push(toks.length);
      ids.push(enc);
      labels.push(row.label);
    }
  }
  const report: SplitReport = {
    source: raw.source,
    rowsRead: raw.rows.length,
    blankLines: raw.blankLines,
    sentencesSkipped: skipped,
    examples,
    kept: ids.length,
    droppedEmpty,
    truncated,
    tokens,
    unkTokens,
    unkRate: tokens === 0 ? 0 : unkTokens / tokens,
    lengths: percentiles(lengths),
  };
  return { split: { ids, labels: Int32Array.from(labels) }, report };
}

/** Nearest-rank percentiles (value at rank ceil(p * n)) of `values`; all 0 when empty. */
export function percentiles(values: readonly number[]): SplitReport['lengths'] {
  const s = Float64Array.from(values).sort();
  const at = (p: number): number => (s.length === 0 ? 0 : (s[Math.max(0, Math.ceil(p * s.length) - 1)] as number));
  return { p50: at(0.5), p90: at(0.9), p95: at(0.95), p99: at(0.99), max: at(1) };
}

function checkOptions(opts: LoadOptions): void {
  for (const key of ['vocabWords', 'maxLen'] as const) {
    const v = opts[key];
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`loadDataset: opts.${key} must be an integer >= 1, got ${String(v)}`);
  }
  if (!Number.isFinite(opts.seed)) throw new RangeError(`loadDataset: opts.seed must be a finite number, got ${String(opts.seed)}`);
}
