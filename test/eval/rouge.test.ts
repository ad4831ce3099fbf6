import { describe, expect, it } from 'vitest';
import { rouge, rougeN, rougeNPair } from '../../eval/rouge.ts';

// F1 as rouge.py writes it: 2 * ((P * R) / (P + R + 1e-8)).
const f1 = (p: number, r: number): number => 2 * ((p * r) / (p + r + 1e-8));

describe('set-based ROUGE of the paper (rouge.py)', () => {
  it('hand example: "the cat sat" vs "the cat ran away"', () => {
    // 1-gram sets {the,cat,sat} / {the,cat,ran,away}: overlap 2 -> P = 2/3, R = 2/4.
    const r1 = rougeNPair('the cat sat', 'the cat ran away', 1);
    expect(r1.p).toBe(2 / 3);
    expect(r1.r).toBe(0.5);
    expect(r1.f).toBe(f1(2 / 3, 0.5)); // ~ 4/7
    expect(r1.f).toBeCloseTo(4 / 7, 7);
    // 2-gram sets {the cat, cat sat} / {the cat, cat ran, ran away}: overlap 1 -> P = 1/2, R = 1/3, F ~ 2/5.
    const r2 = rougeNPair('the cat sat', 'the cat ran away', 2);
    expect([r2.p, r2.r]).toEqual([0.5, 1 / 3]);
    expect(r2.f).toBeCloseTo(0.4, 7);
    // 4-grams: the 3-word hypothesis has none -> P = 0; overlap 0 -> R = 0; F = 0.
    expect(rougeNPair('the cat sat', 'the cat ran away', 4)).toEqual({ f: 0, p: 0, r: 0 });
  });

  it('uses sets (no clipping) and single-space splitting', () => {
    // "a a a" -> set {a}; vs "a" -> overlap 1, P = R = 1, F = 2 * (1 / (2 + 1e-8)).
    expect(rougeNPair('a a a', 'a', 1).f).toBe(2 * (1 / (2 + 1e-8)));
    // "a  b" (two spaces) splits into ["a", "", "b"]: 3 distinct unigrams; vs "a b": overlap 2, P = 2/3, R = 1.
    const r = rougeNPair('a  b', 'a b', 1);
    expect([r.p, r.r]).toEqual([2 / 3, 1]);
  });

  it('empty lines are one empty token, as "".split(" ") == [""] in Python', () => {
    // "" vs "a b": {""} vs {a, b}: overlap 0 -> F = 0. "" vs "": overlap 1 -> F = 2 * (1 / (2 + 1e-8)).
    expect(rougeNPair('', 'a b', 1).f).toBe(0);
    expect(rougeNPair('', '', 1).f).toBe(2 * (1 / (2 + 1e-8)));
  });

  it('macro-averages over sentence pairs', () => {
    // Pair 1 F1 = f1(2/3, 1/2), pair 2 ("x" vs "y") F1 = 0 -> mean = f1(2/3, 1/2) / 2.
    const hyps = ['the cat sat', 'x'];
    const refs = ['the cat ran away', 'y'];
    expect(rougeN(hyps, refs, 1).f).toBe(f1(2 / 3, 0.5) / 2);
    const all = rouge(hyps, refs);
    expect(all.rouge2.f).toBe(f1(0.5, 1 / 3) / 2);
    expect(all.rouge4.f).toBe(0);
  });

  it('rejects misaligned inputs', () => {
    expect(() => rougeN(['a'], [], 1)).toThrow(RangeError);
  });
});
