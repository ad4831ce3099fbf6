/**
 * Word tokeniser shared by training, export and runtime (no dependencies, node + web).
 *
 * Rule, applied in this order (the same output for raw text and for text that was already
 * tokenised Penn-Treebank style, e.g. Yelp's "do n't", "it 's", "_num_", "`` quoted ''"):
 * 1. Unicode NFKC, then lower-case (`toLowerCase`, locale-independent).
 * 2. Quote normalisation: “ ” „ ‟ ″ and the PTB quotes `` and '' become `"`; then ` ‘ ’ ‚ ‛ ′ ʼ
 *    become `'`; the hyphens/en dash ‐ ‑ ‒ – become `-` (so "1944–2001" and "1944-2001" agree);
 *    the em dashes — ― become the separate token `--` (as in PTB and the Brown corpus).
 * 3. Tokens, scanning left to right (whitespace separates tokens and is dropped):
 *    - dotted abbreviations of single letters keep their final dot: "u.s." "e.g." "a.k.a.";
 *    - words: runs of letters, digits, combining marks and `_` (so `_num_` stays one token), joined
 *      by an inner hyphen or apostrophe ("singer-songwriter", "o'brien"), or by `.` `,` `:` `/`
 *      between two digits ("3.5", "2,000", "10:30", "1/2"), or by `.` between two alphanumerics
 *      ("www.example.com");
 *    - a run of two or more dots is one token "..." (any length), a run of two or more hyphens is "--";
 *    - every other non-space character is a token of its own (`.` `,` `!` `(` `"` `'` `$` ...).
 * 4. English clitics are split off a word, PTB style: "don't" -> "do n't", "can't" -> "ca n't",
 *    "it's" -> "it 's", and likewise 'm 'd 're 've 'll. Other inner apostrophes stay ("o'clock").
 *    A clitic that already stands alone ("it 's") stays one token. Any other leading or trailing
 *    apostrophe is a separate token ("parents'" -> "parents '", "'quoted'" -> "' quoted '").
 *
 * Consequences worth knowing: "mr." -> "mr ." (only single-letter abbreviations keep their dot), and a
 * sentence ending in "u.s." has no separate "." token.
 */
export function tokenize(text: string): string[] {
  if (typeof text !== 'string') throw new TypeError(`tokenize: text must be a string, got ${typeof text}`);
  const norm = normalizeText(text);
  const out: string[] = [];
  for (const m of norm.matchAll(TOKEN_RE)) {
    const tok = m[0];
    if (m[1] !== undefined) pushWord(tok, out);
    else if (tok.length > 1 && tok[0] === '.') out.push('...');
    else if (tok.length > 1 && tok[0] === '-') out.push('--');
    else out.push(tok);
  }
  return out;
}

/** NFKC + lower-case + quote/dash normalisation (steps 1-2 of `tokenize`). */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/``|''|[\u201C\u201D\u201E\u201F\u2033]/g, '"')
    .replace(/[`\u2018\u2019\u201A\u201B\u2032\u02BC]/g, "'")
    .replace(/[\u2010-\u2013]/g, '-')
    .replace(/[\u2014\u2015]/g, ' -- ');
}

const W = '[\\p{L}\\p{N}\\p{M}_]';
// Group 1 marks a word; the alternatives after it are punctuation runs and single characters.
const TOKEN_RE = new RegExp(
  `((?:\\p{L}\\.){2,}(?!${W})|${W}+(?:(?:['\\-]|(?<=\\p{N})[.,:/](?=\\p{N})|\\.(?=[\\p{L}\\p{N}]))${W}+)*)` +
    `|'(?:s|m|d|re|ve|ll)(?!${W})|\\.{2,}|-{2,}|\\S`,
  'gu',
);
const CLITIC_RE = /^(.+?)(n't|'s|'m|'d|'re|'ve|'ll)$/u;

/** Split PTB clitics off one word (recursively: "i'd've" -> "i 'd 've") and push the parts. */
function pushWord(word: string, out: string[]): void {
  const m = CLITIC_RE.exec(word);
  if (m === null || m[1] === undefined || m[2] === undefined) {
    out.push(word);
    return;
  }
  pushWord(m[1], out);
  out.push(m[2]);
}

/**
 * How a multi-sentence row (a DBpedia abstract, a review) becomes examples:
 * `row` = the whole text is one example; `first` = only the first sentence (the paper trained on
 * sentences; DBpedia abstracts open with their most class-typical sentence); `all` = every sentence
 * is a separate example with the row's label.
 */
export type SentenceMode = 'row' | 'first' | 'all';

/**
 * Split a row into sentences. If the text contains a TAB, the TABs are the sentence boundaries (the
 * pre-split DBpedia format); otherwise a heuristic splits after `.` `!` `?` (and following closing
 * quotes/brackets) when whitespace and then an upper-case letter, digit or opening quote follow,
 * except after a single letter ("Thomas E. Breitenbach") or a common abbreviation (Mr., Dr., St.,
 * Jr., Inc., vs., Jan. ...). Empty sentences are removed. Original case is kept (tokenise after).
 */
export function splitSentences(text: string): string[] {
  if (typeof text !== 'string') throw new TypeError(`splitSentences: text must be a string, got ${typeof text}`);
  if (text.includes('\t')) return text.split('\t').map((s) => s.trim()).filter((s) => s !== '');
  const out: string[] = [];
  let start = 0;
  for (const m of text.matchAll(BOUNDARY_RE)) {
    const end = (m.index ?? 0) + (m[1]?.length ?? 0);
    const before = text.slice(start, m.index).trimEnd();
    const lastWord = (/([\p{L}.]+)$/u.exec(before)?.[1] ?? '').toLowerCase();
    if (m[1]?.startsWith('.') && (lastWord.length === 1 || ABBREVIATIONS.has(lastWord))) continue;
    out.push(text.slice(start, end).trim());
    start = end;
  }
  out.push(text.slice(start).trim());
  return out.filter((s) => s !== '');
}

// A terminator run (with closing quotes/brackets) followed by whitespace and a sentence opener.
const BOUNDARY_RE = /([.!?]+["'”’)\]]*)(?=\s+["'“‘(`]*[\p{Lu}\p{N}])/gu;
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'jr', 'sr', 'mt', 'ft', 'ave', 'gen', 'col', 'lt', 'sgt', 'capt',
  'rev', 'hon', 'gov', 'sen', 'rep', 'pres', 'inc', 'ltd', 'co', 'corp', 'bros', 'vs', 'etc', 'no', 'nos',
  'vol', 'fig', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'approx',
  'u.s', 'u.k', 'e.g', 'i.e', 'ca', 'c', 'op', 'cf', 'al',
]);

/**
 * Turn one row into the token lists of its examples, per `mode` (see `SentenceMode`).
 * Returns the sentences used and how many non-empty sentences were left out (`first` mode), so
 * the caller can count them.
 */
export function rowToExamples(text: string, mode: SentenceMode): { examples: string[][]; skippedSentences: number } {
  if (mode === 'row') return { examples: [tokenize(text.replace(/\t/g, ' '))], skippedSentences: 0 };
  const sentences = splitSentences(text);
  if (mode === 'all') return { examples: sentences.map(tokenize), skippedSentences: 0 };
  if (mode !== 'first') throw new RangeError(`rowToExamples: mode must be row, first or all, got ${String(mode)}`);
  return { examples: sentences.length ? [tokenize(sentences[0] ?? '')] : [[]], skippedSentences: Math.max(0, sentences.length - 1) };
}
