import { describe, expect, it } from 'vitest';
import { bleu1, bleu2, bleu4, corpusBleu, corpusBleuDetails, PY_FLOAT_MIN, splitWhitespace } from '../../eval/bleu.ts';
import { fsum } from '../../eval/fsum.ts';

const w = (s: string): string[] => splitWhitespace(s);

describe('corpusBleu (NLTK corpus_bleu, no smoothing)', () => {
  // Hand-counted corpus (one reference per hypothesis), including an empty and a 1-word hypothesis.
  // 1) hyp "the cat sat on the mat" vs ref "the cat is on the mat":
  //    1-grams: the x2 (ref has 2) + cat + on + mat = 5 of 6; 2-grams: "the cat","on the","the mat" = 3 of 5;
  //    3-grams: "on the mat" = 1 of 4; 4-grams: 0 of 3.
  // 2) hyp "" vs ref "a b": every order 0 of max(1, 0) = 1.
  // 3) hyp "a" vs ref "a b c": 1-grams 1 of 1; orders 2-4: 0 of max(1, 0) = 1.
  // Totals: p1 = 6/8, p2 = 3/7, p3 = 1/6, p4 = 0/5 -> sys.float_info.min.
  // c = 6 + 0 + 1 = 7 < r = 6 + 2 + 3 = 11, so BP = exp(1 - 11/7) = exp(-4/7).
  const hyps = [w('the cat sat on the mat'), w(''), w('a')];
  const refs = [w('the cat is on the mat'), w('a b'), w('a b c')];
  const bp = Math.exp(-4 / 7);

  it('counts numerators and denominators per order as NLTK does', () => {
    const d = corpusBleuDetails(hyps, refs);
    expect(d.numerators).toEqual([6, 3, 1, 0]);
    expect(d.denominators).toEqual([8, 7, 6, 5]);
    expect(d.hypLength).toBe(7);
    expect(d.refLength).toBe(11);
    expect(d.brevityPenalty).toBe(bp);
  });

  it('BLEU-1 = BP * 3/4 and BLEU-2 = BP * sqrt(3/4 * 3/7) (hand values above)', () => {
    expect(bleu1(hyps, refs)).toBeCloseTo(bp * 0.75, 15);
    expect(bleu2(hyps, refs)).toBeCloseTo(bp * Math.sqrt((3 / 4) * (3 / 7)), 15);
  });

  it('BLEU-4 with a zero 4-gram count uses sys.float_info.min = 2.2250738585072014e-308 (tiny, not 0)', () => {
    // Reference: BP * exp((ln 3/4 + ln 3/7 + ln 1/6 + ln 2.2250738585072014e-308) / 4), about 1e-77.
    const expected = bp * Math.exp((Math.log(3 / 4) + Math.log(3 / 7) + Math.log(1 / 6) + Math.log(2.2250738585072014e-308)) / 4);
    const got = bleu4(hyps, refs);
    expect(got).toBeGreaterThan(0);
    expect(Math.abs(got - expected) / expected).toBeLessThan(1e-12);
    expect(PY_FLOAT_MIN).toBe(2.2250738585072014e-308); // Python sys.float_info.min, not Number.MIN_VALUE
  });

  it('returns exactly 0 when no unigram matches (including an all-empty corpus)', () => {
    expect(corpusBleu([w('x y')], [w('a b')])).toBe(0);
    expect(corpusBleu([[], []], [w('a'), w('b c')])).toBe(0);
  });

  it('BP = 1 when hypotheses are longer, and clipping counts each ref word once', () => {
    // hyp "a b c d" vs ref "a b c": p1 = 3/4, p2 = 2/3 ("a b","b c" of 3), c = 4 > r = 3 -> BP = 1.
    expect(bleu1([w('a b c d')], [w('a b c')])).toBe(0.75);
    expect(bleu2([w('a b c d')], [w('a b c')])).toBeCloseTo(Math.sqrt(0.75 * (2 / 3)), 15);
    // "the the the the" vs "the cat": clipped 1-gram count min(4, 1) = 1 of 4; c = 4 > r = 2.
    expect(bleu1([w('the the the the')], [w('the cat')])).toBe(0.25);
  });

  it('an exact match of >= 4 words scores exactly 1', () => {
    expect(bleu4([w('x y z w v')], [w('x y z w v')])).toBe(1);
  });

  it('pools counts over the corpus (not an average of sentence scores)', () => {
    // Sentence 1 perfect (4 words), sentence 2 "p" vs "q": p1 = 4/5, p2 = 3/4 (orders of "q": 0 of 1);
    // c = r = 5 -> BP = exp(0) = 1; BLEU-2 = sqrt(4/5 * 3/4) = sqrt(3/5).
    expect(bleu2([w('a b c d'), w('p')], [w('a b c d'), w('q')])).toBeCloseTo(Math.sqrt(0.6), 15);
  });

  it('rejects misaligned corpora', () => {
    expect(() => corpusBleu([w('a')], [])).toThrow(RangeError);
  });
});

describe('splitWhitespace and fsum', () => {
  it('splits like Python str.split()', () => {
    expect(splitWhitespace('  a \t b  c ')).toEqual(['a', 'b', 'c']);
    expect(splitWhitespace('   ')).toEqual([]);
  });
  it('fsum is exact where naive summation is not', () => {
    // Python: math.fsum([0.1] * 10) == 1.0 while sum(...) == 0.9999999999999999; fsum([1e100, 1, -1e100]) == 1.
    expect(fsum(new Array<number>(10).fill(0.1))).toBe(1);
    expect(fsum([1e100, 1, -1e100])).toBe(1);
  });
});
