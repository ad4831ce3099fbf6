/**
 * The paper's ROUGE (rouge.py, a modified Google seq2seq / sumy version; NOT official ROUGE),
 * protocol §4.2: per sentence pair, split hypothesis and reference on a single space `" "` (so an
 * empty line is one empty token `""`), take the SETS of distinct n-grams, overlap = |H ∩ R|,
 * P = overlap/|H| (0 if |H| = 0), R = overlap/|R| (0 if |R| = 0),
 * F1 = 2 * ((P * R) / (P + R + 1e-8)); then average F1 (and P, R) over sentences (macro).
 * No count clipping, no stemming. Scores are fractions; the paper reports x100.
 */

/** Macro-averaged scores for one n. */
export interface RougeScore {
  f: number;
  p: number;
  r: number;
}

/** ROUGE-1, -2 and -4 as reported by rouge.py (`rouge_N/f_score` etc.). */
export interface RougeResult {
  rouge1: RougeScore;
  rouge2: RougeScore;
  rouge4: RougeScore;
}

function ngramSet(tokens: readonly string[], n: number): Set<string> {
  const set = new Set<string>();
  // A NUL separator cannot occur inside a space-split token of a text line.
  for (let i = 0; i + n <= tokens.length; i++) set.add(tokens.slice(i, i + n).join('\u0000'));
  return set;
}

/**
 * rouge.py `rouge_n([hyp], [ref], n)` for one pair of lines: returns (F1, P, R). The lines are
 * split with `split(' ')` exactly as the paper's code (callers pass lines with trailing
 * whitespace stripped, as reconstruction.py does).
 */
export function rougeNPair(hyp: string, ref: string, n: number): RougeScore {
  if (typeof hyp !== 'string' || typeof ref !== 'string') throw new TypeError('rougeNPair: hyp and ref must be strings');
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`rougeNPair n: expected an integer >= 1, got ${n}`);
  const h = ngramSet(hyp.split(' '), n);
  const r = ngramSet(ref.split(' '), n);
  let overlap = 0;
  for (const g of h) if (r.has(g)) overlap++;
  const p = h.size === 0 ? 0 : overlap / h.size;
  const rec = r.size === 0 ? 0 : overlap / r.size;
  // Same operation order as rouge.py so results agree to the last bit.
  const f = 2.0 * ((p * rec) / (p + rec + 1e-8));
  return { f, p, r: rec };
}

/** Macro average of {@link rougeNPair} over aligned hypothesis / reference lines. */
export function rougeN(hyps: readonly string[], refs: readonly string[], n: number): RougeScore {
  if (!Array.isArray(hyps) || !Array.isArray(refs)) throw new TypeError('rougeN: hyps and refs must be arrays of strings');
  if (hyps.length !== refs.length) {
    throw new RangeError(`rougeN: ${hyps.length} hypotheses but ${refs.length} references; they must be aligned`);
  }
  if (hyps.length === 0) throw new RangeError('rougeN: no sentences; need at least one pair');
  let f = 0;
  let p = 0;
  let r = 0;
  for (let i = 0; i < hyps.length; i++) {
    const s = rougeNPair(hyps[i] as string, refs[i] as string, n);
    f += s.f;
    p += s.p;
    r += s.r;
  }
  const m = hyps.length;
  return { f: f / m, p: p / m, r: r / m };
}

/**
 * rouge.py `rouge(hypotheses, references)`: ROUGE-1/2/4 macro averages over aligned lines
 * (strings, trailing whitespace already stripped). The paper reports the F1 (`.f`) values.
 */
export function rouge(hyps: readonly string[], refs: readonly string[]): RougeResult {
  return { rouge1: rougeN(hyps, refs, 1), rouge2: rougeN(hyps, refs, 2), rouge4: rougeN(hyps, refs, 4) };
}
