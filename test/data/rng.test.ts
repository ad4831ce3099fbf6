import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';

// Independent reference: xoshiro128** and splitmix32 written with BigInt arithmetic (mod 2^32),
// from the published C code (prng.di.unimi.it/xoshiro128starstar.c), not sharing code with core/rng.ts.
const M = 0xffffffffn;
const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & M;
function refStream(seed: number, n: number): number[] {
  let x = BigInt(seed >>> 0);
  const s: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9n) & M;
    let z = x;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M;
    s.push(z ^ (z >> 16n));
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const [s0, s1, s2, s3] = s as [bigint, bigint, bigint, bigint];
    out.push(Number((rotl((s1 * 5n) & M, 7n) * 9n) & M));
    const t = (s1 << 9n) & M;
    const n2 = s2 ^ s0, n3 = s3 ^ s1;
    const n1 = s1 ^ n2, n0 = s0 ^ n3;
    s[0] = n0; s[1] = n1; s[2] = n2 ^ t; s[3] = rotl(n3, 11n);
  }
  return out;
}

describe('Rng', () => {
  it('matches a BigInt reference of xoshiro128** seeded by splitmix32', () => {
    for (const seed of [0, 1, 42, 123456789]) {
      const r = new Rng(seed);
      expect(Array.from({ length: 100 }, () => r.nextUint32())).toEqual(refStream(seed, 100));
    }
  });

  it('is deterministic per seed and differs across seeds', () => {
    const a = new Rng(7), b = new Rng(7), c = new Rng(8);
    const xa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(xa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(xa);
    for (const v of xa) expect(v >= 0 && v < 1).toBe(true);
  });

  it('state()/restore() resumes the stream bit-exactly, including normal() and shuffle()', () => {
    const a = new Rng(3);
    for (let i = 0; i < 17; i++) a.normal();
    const saved = JSON.parse(JSON.stringify(a.state())) as number[];
    const tail = [a.next(), a.normal(), a.int(10), ...a.permutation(8)];
    const b = Rng.fromState(saved);
    expect([b.next(), b.normal(), b.int(10), ...b.permutation(8)]).toEqual(tail);
    const c = new Rng(99);
    c.restore(saved);
    expect(c.next()).toEqual(tail[0]);
  });

  it('normal() has mean ~0 and variance ~1 (20k draws, 5-sigma bounds)', () => {
    const r = new Rng(1);
    const n = 20000;
    let s = 0, s2 = 0;
    for (let i = 0; i < n; i++) { const v = r.normal(); s += v; s2 += v * v; }
    const mean = s / n, variance = s2 / n - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n)); // sd of the mean = 1/sqrt(n)
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n)); // sd of the variance ~ sqrt(2/n)
  });

  it('permutation() is a permutation; restore() rejects bad states', () => {
    expect(new Rng(5).permutation(50).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(() => new Rng(0).restore([0, 0, 0, 0])).toThrow(RangeError);
    expect(() => new Rng(0).restore([1, 2, 3])).toThrow(RangeError);
    expect(() => new Rng(0).int(0)).toThrow(RangeError);
  });
});
