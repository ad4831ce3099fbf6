/**
 * BLEU and ROUGE of greedy reconstructions, wired like reconstruction.py (protocol §4.2): the
 * caller decodes each test sentence from its posterior mean for T_test steps and cuts at the first
 * `<eos>`; this module turns token lists into the text lines the paper's code compares and scores
 * them. BLEU tokens come from whitespace split of the (right-stripped) lines; ROUGE splits the
 * same lines on single spaces.
 */
import { bleu1, bleu2, bleu4, splitWhitespace } from './bleu.ts';
import { rouge } from './rouge.ts';

/** Every reconstruction score the paper's code computes, as fractions (Table 4 shows x100). */
export interface ReconstructionScores {
  bleu1: number;
  bleu2: number;
  bleu4: number;
  rouge1: number;
  rouge2: number;
  rouge4: number;
}

/**
 * One `mean.txt` line from decoded ids: cut at the first `eosId` (keep everything when there is
 * none), map ids to words with `words[id]` (a predicted `<pad>` / `<bos>` becomes that string, as
 * in the paper) and join with single spaces. An empty line is possible.
 */
export function idsToLine(ids: ArrayLike<number>, words: readonly string[], eosId = 2): string {
  const out: string[] = [];
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t] as number;
    if (id === eosId) break;
    const w = words[id];
    if (w === undefined) throw new RangeError(`idsToLine: id ${id} at position ${t} is outside the vocabulary (size ${words.length})`);
    out.push(w);
  }
  return out.join(' ');
}

/**
 * Scores aligned hypothesis and reference lines (trailing whitespace is stripped like Python's
 * `rstrip()`): NLTK-exact corpus BLEU-1/2/4 and the paper's set-based ROUGE-1/2/4 F1.
 */
export function reconstructionScores(hypLines: readonly string[], refLines: readonly string[]): ReconstructionScores {
  const hyps = hypLines.map((l) => l.trimEnd());
  const refs = refLines.map((l) => l.trimEnd());
  const hb = hyps.map(splitWhitespace);
  const rb = refs.map(splitWhitespace);
  const r = rouge(hyps, refs);
  return {
    bleu1: bleu1(hb, rb),
    bleu2: bleu2(hb, rb),
    bleu4: bleu4(hb, rb),
    rouge1: r.rouge1.f,
    rouge2: r.rouge2.f,
    rouge4: r.rouge4.f,
  };
}
