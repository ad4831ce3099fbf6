/**
 * The qualitative experiments of quality.py (protocol §4.8-4.10) on a trained tfjs model: word
 * imputation in both encoder modes, the linear homotopy between two test sentences and prior
 * samples. Text only; the report decides whether it may be printed (never for third-party data).
 */
import { imputationPrefixLength, linearHomotopy, samplePool } from '../eval/index.ts';
import { Rng } from '../core/rng.ts';
import type { Vocab } from '../core/vocab.ts';
import { encodeRows } from '../train/encode.ts';
import type { TfModel } from '../train/model.ts';
import { decodeWithPrefix } from './decode.ts';

/** One imputation: the kept prefix and the two completions (prefix + generated words). */
export interface Imputation {
  sentence: number;
  prop: number;
  words: number;
  kept: number;
  reference: string;
  prefix: string;
  /** Encoder sees the prefix followed by `<eos>` (the paper's description). */
  intended: string;
  /** Encoder sees the prefix without `<eos>` (the code): zero summary, so z = mean-head bias. */
  faithful: string;
}

/** Qualitative outputs of one run. */
export interface Qualitative {
  maxlen: number;
  imputations: Imputation[];
  homotopy: { from: string; to: string; steps: string[] };
  prior: string[];
}

const text = (vocab: Vocab, ids: readonly number[]): string => ids.map((i) => vocab.words[i] ?? '?').join(' ');

/**
 * Runs the three experiments on the test rows `pool` (word ids + EOS, in test order), seeded by
 * `seed` (quality.py default 0): 5 sentences x prop 1..4 imputations, one 6-point homotopy,
 * `priorSamples` decodes of z ~ N(0, I). maxlen = longest pool row incl. `<eos>` (quality.py).
 */
export function runQualitative(model: TfModel, vocab: Vocab, pool: readonly Int32Array[], seed = 0, priorSamples = 10): Qualitative {
  const K = model.cfg.latentDim;
  const rng = new Rng(seed);
  const maxlen = Math.max(...pool.map((r) => r.length));
  const words = (r: Int32Array): number[] => Array.from(r.subarray(0, r.length - 1));
  const picks = samplePool(pool.length, Math.min(5, pool.length), rng);
  const jobs: { sentence: number; prop: number; w: number[]; prefix: number[] }[] = [];
  for (const sentence of picks) {
    const w = words(pool[sentence]!);
    for (let prop = 1; prop <= 4; prop++) jobs.push({ sentence, prop, w, prefix: w.slice(0, imputationPrefixLength(w.length, prop)) });
  }
  // intended: encode prefix + <eos>; faithful: summary is the zero vector, so mean = mean/bias.
  const intendedZ = encodeRows(model.params, model.cfg, jobs.map((j) => Int32Array.from([...j.prefix, 2]))).mean;
  const bias = model.p('mean/bias').dataSync() as Float32Array;
  const faithfulZ = new Float32Array(jobs.length * K);
  for (let i = 0; i < jobs.length; i++) faithfulZ.set(bias, i * K);
  const prefixes = jobs.map((j) => j.prefix);
  const genI = decodeWithPrefix(model, intendedZ, prefixes, maxlen);
  const genF = decodeWithPrefix(model, faithfulZ, prefixes, maxlen);
  const imputations = jobs.map((j, i) => ({
    sentence: j.sentence, prop: j.prop, words: j.w.length, kept: j.prefix.length, reference: text(vocab, j.w), prefix: text(vocab, j.prefix),
    intended: text(vocab, [...j.prefix, ...genI[i]!]), faithful: text(vocab, [...j.prefix, ...genF[i]!]),
  }));
  const [a, b] = samplePool(pool.length, Math.min(2, pool.length), rng) as [number, number];
  const ends = encodeRows(model.params, model.cfg, [pool[a]!, pool[b ?? a]!]).mean;
  const points = linearHomotopy(ends.subarray(0, K), ends.subarray(K, 2 * K), 5);
  const zH = new Float32Array(points.length * K);
  points.forEach((p, i) => zH.set(p, i * K));
  const homotopy = decodeWithPrefix(model, zH, points.map(() => []), maxlen).map((ids) => text(vocab, ids));
  const zP = new Float32Array(priorSamples * K);
  for (let i = 0; i < zP.length; i++) zP[i] = rng.normal();
  const prior = decodeWithPrefix(model, zP, Array.from({ length: priorSamples }, () => []), maxlen).map((ids) => text(vocab, ids));
  return { maxlen, imputations, homotopy: { from: text(vocab, words(pool[a]!)), to: text(vocab, words(pool[b ?? a]!)), steps: homotopy }, prior };
}
