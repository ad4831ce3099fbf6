/**
 * Seeded, serialisable pseudo-random generator: xoshiro128** (Blackman & Vigna 2018) with 4 x uint32
 * state, seeded through splitmix32 so nearby seeds give unrelated streams. Pure integer arithmetic
 * (Math.imul, >>> 0), so a stream is bit-identical on every JS engine; `normal()` uses Math.log/cos/sqrt,
 * which are deterministic for a given engine build (node and browsers may differ in the last bit).
 *
 * Resume: `state()` returns the 4 uint32 words; `restore(state)` (or `Rng.fromState`) continues the
 * stream exactly where it was. There is no hidden cache (normal() does not keep a spare value).
 */
export class Rng {
  private s = new Uint32Array(4);

  /** `seed`: any finite number (integers recommended; non-integers are truncated to 32 bits). */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new TypeError(`Rng: seed must be a finite number, got ${String(seed)}`);
    // splitmix32 expansion of the seed into 4 words.
    let x = seed >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1; // all-zero state is a fixed point
  }

  /** A generator continuing from a state returned by `state()`. */
  static fromState(state: readonly number[]): Rng {
    const r = new Rng(0);
    r.restore(state);
    return r;
  }

  /** Next uniform uint32 in [0, 2^32). */
  nextUint32(): number {
    const s = this.s;
    let s0 = s[0]!, s1 = s[1]!, s2 = s[2]!, s3 = s[3]!;
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3 >>> 0, 11);
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution (multiples of 2^-32). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n), 1 <= n <= 2^32 (floor(next() * n); bias below n / 2^32). */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 4294967296) throw new RangeError(`Rng.int: n must be an integer in [1, 2^32], got ${n}`);
    return Math.floor(this.next() * n);
  }

  /** Standard normal N(0, 1) by Box-Muller (cosine branch; consumes exactly two uint32 draws). */
  normal(): number {
    const u1 = 1 - this.next(); // (0, 1], so log is finite
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fisher-Yates shuffle of `arr` in place (from the end, j = int(i + 1)); returns `arr`. */
  shuffle<T>(arr: T[]): T[] {
    for (let i = arr.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = arr[i] as T;
      arr[i] = arr[j] as T;
      arr[j] = tmp;
    }
    return arr;
  }

  /** A random permutation of 0..n-1 (identity shuffled with `shuffle`). */
  permutation(n: number): number[] {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`Rng.permutation: n must be a non-negative integer, got ${n}`);
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** The 4 uint32 state words (JSON-serialisable). */
  state(): number[] {
    return Array.from(this.s);
  }

  /** Continue from `state` (4 uint32, not all zero). Throws RangeError otherwise. */
  restore(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 4 || !state.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) {
      throw new RangeError(`Rng.restore: state must be 4 uint32 numbers, got ${JSON.stringify(state)}`);
    }
    if (state.every((v) => v === 0)) throw new RangeError('Rng.restore: the all-zero state is invalid');
    this.s.set(state);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
