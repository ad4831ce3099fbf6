import { IsovaeError } from './errors.ts';
import { BOS_TOKEN, EOS_ID, EOS_TOKEN, PAD_TOKEN, UNK_TOKEN } from './special.ts';

const SPECIALS = [PAD_TOKEN, BOS_TOKEN, EOS_TOKEN] as const;

/**
 * A word vocabulary: `words[id]` is the token of id. Ids 0, 1, 2 are `<pad>`, `<bos>`, `<eos>`;
 * ordinary words start at 3; the literal word `unk` (the paper's unknown-word token) is always present.
 * Immutable. Two text formats:
 * - model/checkpoint format (`toText` / `fromText`): one token per line for ALL ids 0..V-1, specials first;
 * - the paper's `vocab.txt` (`fromPaperText`): words only, id = 0-based line + 3.
 */
export class Vocab {
  readonly words: readonly string[];
  /** V: number of ids including the 3 specials. */
  readonly size: number;
  /** Id of the literal word `unk`. */
  readonly unkId: number;
  private readonly index: Map<string, number>;

  /**
   * `words`: every token for ids 0..V-1, specials first. Throws `IsovaeError('E_VOCAB')` on a missing
   * special, a duplicate, an empty or whitespace-containing token, or a missing `unk`; `source` names
   * the origin in messages.
   */
  constructor(words: readonly string[], source = 'vocabulary') {
    if (!Array.isArray(words)) throw new TypeError(`Vocab: words must be an array of strings`);
    SPECIALS.forEach((tok, id) => {
      if (words[id] !== tok) {
        throw new IsovaeError('E_VOCAB', `${source}: id ${id} must be "${tok}" but is ${JSON.stringify(words[id])}; ` +
          `the model vocabulary lists <pad>, <bos>, <eos> first (is this a paper-format vocab.txt? use Vocab.fromPaperText).`);
      }
    });
    const index = new Map<string, number>();
    words.forEach((w, id) => {
      checkToken(w, `${source}: id ${id}`);
      const prev = index.get(w);
      if (prev !== undefined) throw new IsovaeError('E_VOCAB', `${source}: "${w}" appears twice (ids ${prev} and ${id}); remove the duplicate.`);
      index.set(w, id);
    });
    const unkId = index.get(UNK_TOKEN);
    if (unkId === undefined) throw new IsovaeError('E_VOCAB', `${source}: the unknown-word token "${UNK_TOKEN}" is missing; add it as a word.`);
    this.words = Object.freeze([...words]);
    this.size = words.length;
    this.unkId = unkId;
    this.index = index;
  }

  /** Vocabulary of the 3 specials followed by `words` (ids 3..); `unk` must be among them. */
  static fromWords(words: readonly string[], source = 'vocabulary'): Vocab {
    return new Vocab([...SPECIALS, ...words], source);
  }

  /** Parse the model format (see class doc); `file` names the origin in errors (with line numbers). */
  static fromText(text: string, file: string): Vocab {
    const lines = splitVocabLines(text, file);
    SPECIALS.forEach((tok, i) => {
      if (lines[i] !== tok) {
        throw new IsovaeError('E_VOCAB', `${file}:${i + 1}: expected "${tok}" but found ${JSON.stringify(lines[i] ?? '<end of file>')}; ` +
          `the model vocab.txt lists <pad>, <bos>, <eos> first, then one word per line.`);
      }
    });
    checkLines(lines, file);
    return new Vocab(lines, file);
  }

  /**
   * Parse the paper's `vocab.txt` (words only; trailing whitespace stripped; id = line + 3). Specials
   * are not allowed in it. If `unk` is missing and `addUnk` is true it is appended as the last id
   * (the caller should report that); otherwise that is an error.
   */
  static fromPaperText(text: string, file: string, opts: { addUnk?: boolean } = {}): Vocab {
    const lines = splitVocabLines(text, file).map((l) => l.trimEnd());
    lines.forEach((w, i) => {
      if ((SPECIALS as readonly string[]).includes(w)) {
        throw new IsovaeError('E_VOCAB', `${file}:${i + 1}: "${w}" is a reserved special token; the paper's vocab.txt lists words only (ids 0-2 are implicit).`);
      }
    });
    checkLines(lines, file);
    if (!lines.includes(UNK_TOKEN) && opts.addUnk === true) lines.push(UNK_TOKEN);
    if (!lines.includes(UNK_TOKEN)) throw new IsovaeError('E_VOCAB', `${file}: the unknown-word token "${UNK_TOKEN}" is missing; add a line "${UNK_TOKEN}".`);
    return Vocab.fromWords(lines, file);
  }

  /** Id of `word`, or `unkId` if it is not in the vocabulary. */
  idOf(word: string): number {
    return this.index.get(word) ?? this.unkId;
  }

  /** True if `word` has its own id. */
  has(word: string): boolean {
    return this.index.has(word);
  }

  /**
   * Word ids followed by one EOS (no BOS, no padding). `maxLen`: maximum number of WORDS kept
   * (later words are cut), so the result has at most maxLen + 1 ids; default: no limit.
   */
  encodeTokens(tokens: readonly string[], maxLen?: number): Int32Array {
    if (maxLen !== undefined && (!Number.isInteger(maxLen) || maxLen < 0)) {
      throw new RangeError(`Vocab.encodeTokens: maxLen must be a non-negative integer, got ${maxLen}`);
    }
    const n = maxLen === undefined ? tokens.length : Math.min(tokens.length, maxLen);
    const ids = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) ids[i] = this.idOf(tokens[i] as string);
    ids[n] = EOS_ID;
    return ids;
  }

  /** Tokens of `ids` up to (not including) the first EOS; PAD and BOS map to "<pad>", "<bos>". */
  decodeIds(ids: ArrayLike<number>): string[] {
    const out: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (id === EOS_ID) break;
      const w = this.words[id];
      if (w === undefined) throw new RangeError(`Vocab.decodeIds: id ${id} at position ${i} is outside 0..${this.size - 1}`);
      out.push(w);
    }
    return out;
  }

  /** The model format: one token per line for ids 0..V-1, newline-terminated. */
  toText(): string {
    return this.words.join('\n') + '\n';
  }
}

/**
 * The vocabulary of the `topK` most frequent words of `sentences` (token lists), ordered by count
 * descending, ties broken by code-unit (alphabetical) order. The literal `unk` is always included: if it
 * is not among the top K, the top K-1 words are kept and `unk` is appended last. So V = topK + 3 when the
 * text has at least topK distinct words (fewer otherwise). Special-token strings are never counted.
 */
export function buildVocab(sentences: Iterable<readonly string[]>, topK: number): Vocab {
  if (!Number.isInteger(topK) || topK < 1) throw new RangeError(`buildVocab: topK must be an integer >= 1, got ${topK}`);
  const ranked = rankWords(countWords(sentences));
  const words = ranked.slice(0, topK).map(([w]) => w);
  if (!words.includes(UNK_TOKEN)) {
    if (words.length === topK) words.pop();
    words.push(UNK_TOKEN);
  }
  return Vocab.fromWords(words);
}

/** Token counts over `sentences` (special-token strings excluded). */
export function countWords(sentences: Iterable<readonly string[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of sentences) {
    for (const w of s) {
      if ((SPECIALS as readonly string[]).includes(w)) continue;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return counts;
}

/** [word, count] pairs by count descending, then word ascending (code-unit order). */
export function rankWords(counts: ReadonlyMap<string, number>): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Lines of a vocab file: CRLF accepted, one final newline allowed, BOM removed. */
function splitVocabLines(text: string, file: string): string[] {
  if (typeof text !== 'string') throw new TypeError(`${file}: vocabulary text must be a string`);
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const lines = body.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new IsovaeError('E_VOCAB', `${file}: the vocabulary file is empty.`);
  return lines;
}

/** Reject empty, whitespace-containing and duplicate tokens, naming file:line (line = index + 1). */
function checkLines(lines: readonly string[], file: string): void {
  const seen = new Map<string, number>();
  lines.forEach((w, i) => {
    checkToken(w, `${file}:${i + 1}`);
    const prev = seen.get(w);
    if (prev !== undefined) throw new IsovaeError('E_VOCAB', `${file}:${i + 1}: "${w}" duplicates line ${prev + 1}; remove one of them.`);
    seen.set(w, i);
  });
}

function checkToken(w: unknown, where: string): void {
  if (typeof w !== 'string') throw new TypeError(`${where}: token must be a string, got ${typeof w}`);
  if (w === '') throw new IsovaeError('E_VOCAB', `${where}: empty line; every line must hold exactly one token.`);
  if (/\s/u.test(w)) throw new IsovaeError('E_VOCAB', `${where}: token ${JSON.stringify(w)} contains whitespace; one token per line.`);
}
