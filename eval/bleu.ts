/**
 * Corpus BLEU exactly as NLTK's `corpus_bleu` with one reference per hypothesis and no smoothing
 * (SmoothingFunction().method0), the paper's reconstruction metric (protocol §4.2, reconstruction.py).
 *
 * Algorithm (NLTK nltk/translate/bleu_score.py):
 * - for n = 1..weights.length and every sentence: numerator = sum over distinct hypothesis
 *   n-grams of min(count in hyp, count in ref); denominator = max(1, number of hyp n-grams)
 *   (so an empty or short hypothesis still adds 1); both summed over the corpus as integers;
 * - if the corpus unigram numerator is 0 the score is 0;
 * - method0 replaces a p_n whose numerator is 0 by `sys.float_info.min` = 2.2250738585072014e-308
 *   (the smallest positive *normal* double, not JS `Number.MIN_VALUE`), so a zero-weight term adds
 *   0 and a positive-weight term makes the score tiny but not exactly 0;
 * - brevity penalty with c = sum of hyp lengths, r = sum of ref lengths: 1 if c > r, 0 if c = 0,
 *   else exp(1 - r / c);
 * - BLEU = BP * exp(fsum(w_n * log p_n)).
 * Scores are fractions in [0, 1]; the paper reports x100.
 */
import { fsum } from './fsum.ts';

/** Python's `sys.float_info.min`, used by NLTK method0 for zero-count precisions. */
export const PY_FLOAT_MIN = 2.2250738585072014e-308;

/** Per-order corpus counts and the final score of {@link corpusBleuDetails}. */
export interface BleuDetails {
  bleu: number;
  /** Corpus clipped-match totals, index n-1 for order n. */
  numerators: number[];
  /** Corpus denominators (sum of max(1, hyp n-grams)), index n-1 for order n. */
  denominators: number[];
  brevityPenalty: number;
  hypLength: number;
  refLength: number;
}

/**
 * Splits a line on runs of whitespace like Python's `str.split()` (no empty tokens; an empty or
 * blank line gives []). This is how reconstruction.py tokenises both hypotheses and references.
 */
export function splitWhitespace(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(/\s+/);
}

// Token separator for n-gram keys; whitespace-split tokens never contain NUL.
const SEP = '\u0000';

function ngramCounts(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(SEP);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function checkCorpus(hyps: readonly (readonly string[])[], refs: readonly (readonly string[])[]): void {
  if (!Array.isArray(hyps) || !Array.isArray(refs)) {
    throw new TypeError('corpusBleu: hyps and refs must be arrays of token arrays (string[][])');
  }
  if (hyps.length !== refs.length) {
    throw new RangeError(`corpusBleu: ${hyps.length} hypotheses but ${refs.length} references; need one reference per hypothesis`);
  }
  if (hyps.length === 0) throw new RangeError('corpusBleu: the corpus is empty; need at least one sentence');
}

/**
 * NLTK `corpus_bleu(refs.map(r => [r]), hyps, weights)` without smoothing, with the per-order
 * counts. `weights` default (0.25, 0.25, 0.25, 0.25); its length sets the maximum n-gram order.
 */
export function corpusBleuDetails(
  hyps: readonly (readonly string[])[],
  refs: readonly (readonly string[])[],
  weights: readonly number[] = [0.25, 0.25, 0.25, 0.25],
): BleuDetails {
  checkCorpus(hyps, refs);
  if (weights.length === 0 || weights.some((w) => !Number.isFinite(w) || w < 0)) {
    throw new RangeError(`corpusBleu weights: expected a non-empty list of finite non-negative numbers, got [${weights.join(', ')}]`);
  }
  const maxN = weights.length;
  const numerators = new Array<number>(maxN).fill(0);
  const denominators = new Array<number>(maxN).fill(0);
  let hypLength = 0;
  let refLength = 0;
  for (let s = 0; s < hyps.length; s++) {
    const hyp = hyps[s] as readonly string[];
    const ref = refs[s] as readonly string[];
    for (let n = 1; n <= maxN; n++) {
      const hc = ngramCounts(hyp, n);
      const rc = ngramCounts(ref, n);
      let clipped = 0;
      let total = 0;
      for (const [g, c] of hc) {
        clipped += Math.min(c, rc.get(g) ?? 0);
        total += c;
      }
      numerators[n - 1] = (numerators[n - 1] as number) + clipped;
      denominators[n - 1] = (denominators[n - 1] as number) + Math.max(1, total);
    }
    hypLength += hyp.length;
    refLength += ref.length; // single reference: the closest reference length is its length
  }
  const brevityPenalty = hypLength > refLength ? 1 : hypLength === 0 ? 0 : Math.exp(1 - refLength / hypLength);
  const details = { numerators, denominators, brevityPenalty, hypLength, refLength };
  if (numerators[0] === 0) return { bleu: 0, ...details };
  const terms = weights.map((w, i) => {
    const num = numerators[i] as number;
    const p = num === 0 ? PY_FLOAT_MIN : num / (denominators[i] as number);
    return w * Math.log(p);
  });
  return { bleu: brevityPenalty * Math.exp(fsum(terms)), ...details };
}

/** NLTK-exact corpus BLEU (fraction in [0, 1]); see {@link corpusBleuDetails}. */
export function corpusBleu(
  hyps: readonly (readonly string[])[],
  refs: readonly (readonly string[])[],
  weights: readonly number[] = [0.25, 0.25, 0.25, 0.25],
): number {
  return corpusBleuDetails(hyps, refs, weights).bleu;
}

/** BLEU-1, weights (1, 0, 0, 0) as in reconstruction.py. */
export function bleu1(hyps: readonly (readonly string[])[], refs: readonly (readonly string[])[]): number {
  return corpusBleu(hyps, refs, [1, 0, 0, 0]);
}

/** BLEU-2, weights (0.5, 0.5, 0, 0) as in reconstruction.py. */
export function bleu2(hyps: readonly (readonly string[])[], refs: readonly (readonly string[])[]): number {
  return corpusBleu(hyps, refs, [0.5, 0.5, 0, 0]);
}

/** BLEU-4, weights (0.25, 0.25, 0.25, 0.25). */
export function bleu4(hyps: readonly (readonly string[])[], refs: readonly (readonly string[])[]): number {
  return corpusBleu(hyps, refs, [0.25, 0.25, 0.25, 0.25]);
}
