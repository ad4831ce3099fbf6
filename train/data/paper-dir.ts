import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { IsovaeError } from '../../core/errors.ts';
import { Vocab } from '../../core/vocab.ts';
import { buildDataset } from './build.ts';
import { checkKnownLabel, parseLabel, readClasses } from './labels.ts';
import { readTextFile, requireDirectory } from './read-text.ts';
import { classNames, completeSplits } from './split.ts';
import { SPLIT_NAMES, type Dataset, type LoadOptions, type RawInput, type RawRow, type ReadOptions, type RawSplit, type SplitName } from './types.ts';

/**
 * Load the paper's directory format (protocol §1.1): `vocab.txt` (words only, id = line + 3),
 * `train.txt` / `valid.txt` / `test.txt` (one pre-tokenised sentence per line, split on whitespace, NOT
 * re-tokenised) and `<split>_class_label.txt` (one integer per line, aligned). The vocabulary is closed:
 * a word missing from vocab.txt is `E_DATA_FORMAT` naming file:line; `opts.vocabWords` is ignored.
 * If vocab.txt lacks `unk` it is appended (last id) and noted. Classes: optional classes.txt, else
 * ids 0..max (num_classes = max + 1, as Keras to_categorical). Missing valid/test files are carved from
 * train with `opts.seed` (see carveSplits) and noted. Lines are truncated to `opts.maxLen` words.
 */
export async function loadPaperDir(dir: string, opts: LoadOptions): Promise<Dataset> {
  const input = readPaperDir(dir, opts);
  const size = input.vocab!.size - 3;
  if (opts.vocabWords !== size) input.notes.push(`vocabWords=${opts.vocabWords} ignored: the paper format uses vocab.txt (${size} words).`);
  return buildDataset({ ...input, opts });
}

/** The paper directory's splits as token lists with its vocab.txt, before truncation (what `loadPaperDir` encodes). */
export function readPaperDir(dir: string, opts: ReadOptions): RawInput {
  const startedAt = performance.now();
  requireDirectory(dir, 'dataset');
  const notes: string[] = [];
  const vocabFile = join(dir, 'vocab.txt');
  const vocabText = readTextFile(vocabFile, 'vocabulary (paper format, one word per line)');
  const hadUnk = vocabText.split('\n').some((l) => l.trimEnd() === 'unk');
  const vocab = Vocab.fromPaperText(vocabText, vocabFile, { addUnk: true });
  if (!hadUnk) notes.push(`vocab.txt has no "unk" line; appended it as id ${vocab.unkId}.`);
  const classTable = readClasses(join(dir, 'classes.txt'));
  const raw: Partial<Record<SplitName, RawSplit>> = {};
  for (const split of SPLIT_NAMES) {
    const textFile = join(dir, `${split}.txt`);
    if (split !== 'train' && !existsSync(textFile)) continue;
    raw[split] = readPaperSplit(textFile, join(dir, `${split}_class_label.txt`), vocab, classTable);
  }
  const splits = completeSplits(raw, opts.seed, notes, (split, n) => `${split}.txt not found: carved ${n} lines from train.txt`);
  const classes = classNames(splits, classTable);
  return { name: basename(dir), source: dir, raw: splits, classes, vocab, notes, startedAt };
}

function readPaperSplit(textFile: string, labelFile: string, vocab: Vocab, classTable: ReturnType<typeof readClasses>): RawSplit {
  const lines = toLines(readTextFile(textFile, 'sentence file'));
  const labelLines = toLines(readTextFile(labelFile, `label file for ${basename(textFile)}`));
  if (labelLines.length > lines.length) {
    throw new IsovaeError('E_DATA_FORMAT', `${labelFile}:${lines.length + 1}: more labels (${labelLines.length}) than sentences in ${textFile} (${lines.length}); the files must be aligned line by line.`);
  }
  const rows: RawRow[] = lines.map((line, i) => {
    const where = `${textFile}:${i + 1}`;
    const labelText = labelLines[i];
    if (labelText === undefined) {
      throw new IsovaeError('E_DATA_FORMAT', `${where}: row without a label (${labelFile} has only ${labelLines.length} lines); the files must be aligned line by line.`);
    }
    const label = parseLabel(labelText, `${labelFile}:${i + 1}`);
    checkKnownLabel(label, classTable, `${labelFile}:${i + 1}`);
    const tokens = line.split(/\s+/).filter((t) => t !== '');
    for (const t of tokens) {
      if (vocab.has(t) && vocab.idOf(t) < 3) {
        throw new IsovaeError('E_DATA_FORMAT', `${where}: special token ${JSON.stringify(t)} inside a sentence; sentences hold words only (<eos> is appended by the loader).`);
      }
      if (!vocab.has(t)) {
        throw new IsovaeError('E_DATA_FORMAT', `${where}: word ${JSON.stringify(t)} is not in vocab.txt; the paper format has a closed vocabulary ` +
          `(replace unknown words by "unk" or add them to vocab.txt).`);
      }
    }
    return { group: i, label, examples: [tokens], skipped: 0 };
  });
  return { source: basename(textFile), blankLines: 0, rows };
}

/** Lines without their line breaks (LF or CRLF); a final line break does not add an empty line. */
export function toLines(text: string): string[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
