/**
 * Randomness used by the evaluation protocols. Every function takes an injected uniform source
 * `() => number` returning values in [0, 1) (e.g. `() => rng.next()` of the project's seeded RNG),
 * so results are reproducible from a seed and tests can pass a scripted sequence.
 * The paper's exact NumPy / Python `random` streams cannot be reproduced (protocol §1.4, §6.13);
 * only the distributions match.
 */
import { Rng } from '../core/rng.ts';
import { checkCount } from './matrix.ts';

/** A uniform [0, 1) source. */
export type Uniform = () => number;

/** Anything that yields uniform [0, 1) numbers: a function, or an object with `next()` such as core/rng.ts `Rng`. */
export type RandomSource = Uniform | { next(): number };

/** Normalises a {@link RandomSource} to a plain `() => number`. */
export function asUniform(source: RandomSource): Uniform {
  if (typeof source === 'function') return source;
  if (source !== null && typeof source === 'object' && typeof source.next === 'function') return () => source.next();
  throw new TypeError('random source: expected a function () => number in [0, 1) or an object with next() (core/rng.ts Rng)');
}

/**
 * A seeded uniform source from the project's RNG (core/rng.ts, xoshiro128**), used where an eval
 * function is given a seed instead of a source (classifier seeds, t-SNE).
 */
export function seededUniform(seed: number): Uniform {
  if (!Number.isInteger(seed)) throw new RangeError(`seededUniform seed: expected an integer, got ${seed}`);
  const rng = new Rng(seed);
  return () => rng.next();
}

/** Draws one value and checks it is in [0, 1). */
export function draw(u: Uniform): number {
  const x = u();
  if (!(x >= 0 && x < 1)) throw new RangeError(`uniform source returned ${x}; expected a number in [0, 1)`);
  return x;
}

/** Uniform integer in [0, n). */
export function randInt(u: Uniform, n: number): number {
  return Math.floor(draw(u) * n);
}

/**
 * Standard normal pair-free draw by the Box-Muller transform (uses two uniforms per value; the
 * 1 - u guard avoids log(0)).
 */
export function normal(u: Uniform): number {
  const u1 = 1 - draw(u); // (0, 1]
  const u2 = draw(u);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates, i = n-1 down to 1, like NumPy's shuffle). */
export function permutation(n: number, u: Uniform): Int32Array {
  checkCount('permutation n', n, 0);
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randInt(u, i + 1);
    const t = p[i] as number;
    p[i] = p[j] as number;
    p[j] = t;
  }
  return p;
}

/**
 * `k` distinct indices from 0..n-1 chosen uniformly without replacement (Python
 * `random.sample(range(n), k)` semantics; partial Fisher-Yates), in selection order.
 */
export function sampleWithoutReplacement(n: number, k: number, u: Uniform): number[] {
  checkCount('sampleWithoutReplacement n', n, 0);
  checkCount('sampleWithoutReplacement k', k, 0);
  if (k > n) throw new RangeError(`sampleWithoutReplacement: cannot choose k=${k} of n=${n} items`);
  const pool = Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + randInt(u, n - i);
    const t = pool[i] as number;
    pool[i] = pool[j] as number;
    pool[j] = t;
    out.push(pool[i] as number);
  }
  return out;
}
