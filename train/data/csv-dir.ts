import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { IsovaeError } from '../../core/errors.ts';
import { rowToExamples } from '../../core/tokenize.ts';
import { buildDataset } from './build.ts';
import { parseCsv } from './csv.ts';
import { checkKnownLabel, parseLabel, readClasses, type ClassTable } from './labels.ts';
import { readTextFile, requireDirectory } from './read-text.ts';
import { classNames, completeSplits } from './split.ts';
import { SPLIT_NAMES, type Dataset, type LoadOptions, type RawInput, type RawRow, type ReadOptions, type RawSplit, type SplitName } from './types.ts';
import type { SentenceMode } from '../../core/tokenize.ts';

/**
 * Load a directory of labelled CSV files: `train.csv` (required), `valid.csv`, `test.csv`, each RFC 4180
 * with the header `label,text` (CRLF or LF), labels non-negative integers, and an optional `classes.txt`
 * (`id<TAB>name` per line) that names the classes and rejects unknown labels. Without classes.txt the
 * classes are 0..max label. Text is tokenised with core/tokenize.ts; `opts.sentences` (default `first`)
 * picks the first sentence of multi-sentence rows (TAB-separated or raw, see splitSentences) — the
 * paper trained on sentences — or keeps whole rows (`row`) or every sentence (`all`).
 * A missing valid.csv / test.csv (or one mapped to null in `opts.files`) is carved from train with
 * `opts.seed`, 10% each, stratified by label (see carveSplits), and noted in the report.
 * `opts.files` renames the inputs, e.g. Yelp without a train file: `{ train: 'test.csv', test: null }`.
 */
export async function loadCsvDir(dir: string, opts: LoadOptions): Promise<Dataset> {
  return buildDataset({ ...readCsvDir(dir, opts), opts });
}

/** The CSV directory's splits as token lists, before any vocabulary or truncation (what `loadCsvDir` encodes). */
export function readCsvDir(dir: string, opts: ReadOptions): RawInput {
  const startedAt = performance.now();
  requireDirectory(dir, 'CSV dataset');
  const mode = opts.sentences ?? 'first';
  if (!['row', 'first', 'all'].includes(mode)) throw new RangeError(`loadDataset: opts.sentences must be row, first or all, got ${String(mode)}`);
  const notes: string[] = [`sentences mode "${mode}"`];
  const classTable = readClasses(join(dir, 'classes.txt'));
  const raw: Partial<Record<SplitName, RawSplit>> = {};
  for (const split of SPLIT_NAMES) {
    const mapped = opts.files?.[split];
    if (mapped === null && split !== 'train') continue;
    const name = mapped ?? `${split}.csv`;
    const file = join(dir, name);
    if (split !== 'train' && mapped === undefined && !existsSync(file)) continue;
    if (split === 'train' && (mapped === null || !existsSync(file))) {
      throw new IsovaeError('E_DATA_MISSING', `${file}: training split not found; a CSV dataset needs train.csv ` +
        `(or opts.files.train naming another file of the directory).`);
    }
    raw[split] = readCsvSplit(file, mode, classTable);
  }
  const splits = completeSplits(raw, opts.seed, notes, (split, n, source) => `no ${split} file: carved ${n} rows from ${source}`);
  const classes = classNames(splits, classTable);
  return { name: basename(dir), source: dir, raw: splits, classes, notes, startedAt };
}

function readCsvSplit(file: string, mode: SentenceMode, classTable: ClassTable | null): RawSplit {
  const records = parseCsv(readTextFile(file, 'CSV split'), file);
  const header = records[0];
  if (header === undefined || header.fields.length !== 2 || header.fields[0]?.trim().toLowerCase() !== 'label' || header.fields[1]?.trim().toLowerCase() !== 'text') {
    throw new IsovaeError('E_DATA_FORMAT', `${file}:1: expected the header "label,text", got ${JSON.stringify(header?.fields.join(',') ?? '<empty file>')}.`);
  }
  let blankLines = 0;
  const rows: RawRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const { fields, line } = records[i] as (typeof records)[number];
    const where = `${file}:${line}`;
    if (fields.length === 1 && fields[0] === '') { blankLines++; continue; }
    if (fields.length === 1) throw new IsovaeError('E_DATA_FORMAT', `${where}: row without a label (expected "label,text", found a single field).`);
    if (fields.length > 2) throw new IsovaeError('E_DATA_FORMAT', `${where}: ${fields.length} fields, expected 2 (label,text); quote a text that contains commas.`);
    const label = parseLabel(fields[0] as string, where);
    checkKnownLabel(label, classTable, where);
    const { examples, skippedSentences } = rowToExamples(fields[1] as string, mode);
    rows.push({ group: rows.length, label, examples, skipped: skippedSentences });
  }
  return { source: basename(file), blankLines, rows };
}
