/**
 * Text-side protocol helpers that need no model: 30% word deletion for the robustness experiment
 * (protocol §4.5) and the prefix / homotopy / sampling arithmetic of the qualitative experiments
 * (protocol §4.8-4.10).
 */
import { checkCount } from './matrix.ts';
import { asUniform, sampleWithoutReplacement, type RandomSource } from './random.ts';

/** floor(keepFrac * n) words kept, as robustness.py's `int(0.7 * n)` (exact in float64). */
export function keptWordCount(n: number, keepFrac = 0.7): number {
  checkCount('keptWordCount n', n, 0);
  if (!(keepFrac >= 0 && keepFrac <= 1)) throw new RangeError(`keptWordCount keepFrac: expected a number in [0, 1], got ${keepFrac}`);
  return Math.floor(keepFrac * n);
}

/**
 * Robustness perturbation (protocol §4.5, robustness.py): from the n words of a test sentence
 * (raw words, WITHOUT `<eos>`; the caller appends it when encoding), keep floor(keepFrac * n)
 * positions chosen uniformly without replacement (Python `random.sample(range(n), k)`), sorted so
 * the original order is preserved. So n - floor(0.7 n) >= 30% of the words are deleted and a
 * 1-word sentence becomes empty. `rng` is the seeded source (core/rng.ts `Rng` or `() => number`) (one stream for the whole test
 * set, consumed in sentence order). Returns a new array.
 */
export function wordDeletion<T>(tokens: readonly T[], rng: RandomSource, keepFrac = 0.7): T[] {
  if (!Array.isArray(tokens)) throw new TypeError('wordDeletion tokens: expected an array of words');
  const n = tokens.length;
  const keep = sampleWithoutReplacement(n, keptWordCount(n, keepFrac), asUniform(rng)).sort((a, b) => a - b);
  return keep.map((i) => tokens[i] as T);
}

/**
 * Number of prefix words kept in word imputation (protocol §4.8, quality.py mode 0):
 * floor(0.25 * prop * nWords) for prop = 1..4. prop = 1 keeps 25% (the paper's Table 1 case: 25
 * words -> 6 kept). Computed as `Math.floor(0.25 * prop * n)` in the same operation order as the
 * Python code so float rounding cannot differ.
 */
export function imputationPrefixLength(nWords: number, prop: number): number {
  checkCount('imputationPrefixLength nWords', nWords, 0);
  if (!Number.isInteger(prop) || prop < 1 || prop > 4) throw new RangeError(`imputationPrefixLength prop: expected 1, 2, 3 or 4, got ${prop}`);
  return Math.floor(0.25 * prop * nWords);
}

/**
 * Weights (a, b) of the linear homotopy z = a * z1 + b * z2 (protocol §4.9): for i = 0..steps,
 * b = i / steps, a = 1 - b. The paper's code uses steps = 5 and the literal (1 - 0.2 i, 0.2 i);
 * for steps = 5 this function returns exactly those products (0.2 * i).
 */
export function homotopyWeights(steps = 5): [number, number][] {
  checkCount('homotopyWeights steps', steps, 1);
  const out: [number, number][] = [];
  for (let i = 0; i <= steps; i++) {
    const b = steps === 5 ? 0.2 * i : i / steps;
    out.push([1 - b, b]);
  }
  return out;
}

/** The linear homotopy points between codes z1 and z2 (`[K]` each): `steps + 1` vectors (§4.9). */
export function linearHomotopy(z1: ArrayLike<number>, z2: ArrayLike<number>, steps = 5): Float64Array[] {
  if (z1.length !== z2.length) throw new RangeError(`linearHomotopy: z1 has ${z1.length} dims but z2 has ${z2.length}`);
  return homotopyWeights(steps).map(([a, b]) => {
    const z = new Float64Array(z1.length);
    for (let k = 0; k < z1.length; k++) z[k] = a * (z1[k] as number) + b * (z2[k] as number);
    return z;
  });
}

/**
 * Dimension-wise homotopy of quality.py mode 1 (§4.9): for d = 0..K-1, coordinate d moves as
 * (1 - 0.25 i) z1_d + 0.25 i z2_d for i = 0..4 with the other coordinates at the CURRENT z, and
 * after dimension d the current z keeps the i = 4 value, so the switches accumulate until z = z2.
 * Returns `[K][5]` vectors (each `[K]`).
 */
export function dimensionwiseHomotopy(z1: ArrayLike<number>, z2: ArrayLike<number>): Float64Array[][] {
  if (z1.length !== z2.length) throw new RangeError(`dimensionwiseHomotopy: z1 has ${z1.length} dims but z2 has ${z2.length}`);
  const cur = Float64Array.from(z1);
  const out: Float64Array[][] = [];
  for (let d = 0; d < cur.length; d++) {
    const row: Float64Array[] = [];
    const a = cur[d] as number;
    const b = z2[d] as number;
    for (let i = 0; i <= 4; i++) {
      const z = Float64Array.from(cur);
      z[d] = (1 - 0.25 * i) * a + 0.25 * i * b;
      row.push(z);
    }
    cur.set(row[4] as Float64Array);
    out.push(row);
  }
  return out;
}

/**
 * Picks `k` distinct sentence indices from a pool of `n` (quality.py `random.sample(pool, k)`;
 * 5 for imputation, 2 for homotopy), using the seeded uniform source.
 */
export function samplePool(n: number, k: number, rng: RandomSource): number[] {
  return sampleWithoutReplacement(n, k, asUniform(rng));
}
