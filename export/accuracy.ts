import { EOS_ID } from '../core/special.ts';
import { activeUnits } from '../eval/active-units.ts';
import { bleu2 } from '../eval/bleu.ts';
import { loadModel } from '../runtime/node.ts';
import type { IsovaeModel } from '../runtime/model.ts';
import { tokenAgreement } from './greedy-onnx.ts';

/**
 * The accuracy contract of a quantized (int8 / fp16) model directory against the float32 model it was
 * made from, measured on onnxruntime-node CPU through the runtime (the code path apps use) on a sample of
 * sentences (the model's own test data, or sentences given by the user).
 *
 * Metrics (both models see the same sentences; every figure is quantized vs fp32):
 * - encoder posterior means: max abs diff over all sentences and dims, and the mean (and min) over
 *   sentences of the cosine between the two mean vectors; measured on every encoder graph of the
 *   directory (`encoder.onnx`, the portable graph the browser runs, and `encoder_fused.onnx`, which the
 *   node CPU runtime prefers), the worst of the two counts;
 * - reconstructions (posterior mean -> greedy decode, each model end to end with the portable encoder):
 *   token agreement (positions up to and including EOS, as the export parity check counts them) and
 *   sentence exact-match (identical token sequences);
 * - the paper's metrics fp32 vs quantized: BLEU-2 of the reconstructions against the input sentences
 *   (NLTK corpus BLEU, eval/bleu.ts) and active units of the means (variance > 0.01, eval/active-units.ts).
 */

/** Thresholds of the contract. Every field is optional in overrides; see {@link DEFAULT_THRESHOLDS}. */
export interface AccuracyThresholds {
  /** Minimum mean cosine between fp32 and quantized posterior means. */
  minMeanCosine: number;
  /** Maximum |mean_fp32 - mean_q| over all sentences and dims (Infinity: not checked). */
  maxMeanAbsDiff: number;
  /** Minimum fraction of reconstructions whose tokens are identical (sentence exact-match, 0..1). */
  minExactMatch: number;
  /** Minimum fraction of agreeing token positions (0..1). */
  minTokenAgreement: number;
  /** Maximum drop of reconstruction BLEU-2 (fraction, 0..1; 0.01 = one BLEU point) vs fp32. */
  maxBleu2Drop: number;
  /** Maximum |AU_q - AU_fp32| (active units). */
  maxActiveUnitChange: number;
}

/**
 * Default thresholds per dtype (a failed one fails `isovae quantize` / `export --dtype` / `verify`).
 * Both: BLEU-2 of the reconstructions at most one point below fp32 and active units unchanged (the paper's
 * metrics), mean cosine of the encoder means >= 0.999; the max abs diff of the means is reported but not
 * bounded (its scale depends on the model; the cosine bounds the direction, AU the spread).
 * Greedy decoding amplifies any perturbation: one flipped near-tie changes the rest of the sentence. fp16
 * keeps >= 95% of the sentences and 98% of the tokens identical. int8 (8-bit weights, even weight-only)
 * flips more near-ties: on the shipped Brown models (H = 128, BLEU-2 19) 84-88% of the reconstructions stay
 * identical while BLEU-2 does not move, so its defaults are exact-match >= 80%, token agreement >= 90%.
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<'int8' | 'fp16', Readonly<AccuracyThresholds>>> = {
  int8: { minMeanCosine: 0.999, maxMeanAbsDiff: Infinity, minExactMatch: 0.8, minTokenAgreement: 0.9, maxBleu2Drop: 0.01, maxActiveUnitChange: 0 },
  fp16: { minMeanCosine: 0.999, maxMeanAbsDiff: Infinity, minExactMatch: 0.95, minTokenAgreement: 0.98, maxBleu2Drop: 0.01, maxActiveUnitChange: 0 },
};

/** What was measured, with the thresholds applied (stored in the manifest as `accuracy`). */
export interface AccuracyReport {
  /** The measured model's dtype. */
  dtype: 'int8' | 'fp16';
  /** Where the sentences came from (e.g. "test split of brown, 1000 of 6311 sentences"). */
  source: string;
  sentences: number;
  /** Encoder graphs compared (`encoder`, `encoder_fused`). */
  encoders: string[];
  meanMaxAbsDiff: number;
  meanCosine: number;
  minCosine: number;
  /** Fraction (0..1) of agreeing token positions of the reconstructions. */
  tokenAgreement: number;
  /** Fraction (0..1) of sentences reconstructed with identical tokens. */
  exactMatch: number;
  bleu2: { fp32: number; quantized: number };
  activeUnits: { fp32: number; quantized: number; k: number };
  thresholds: AccuracyThresholds;
  /** One line per threshold that does not hold (empty when ok). */
  failures: string[];
  ok: boolean;
}

/** Options of {@link measureAccuracy}. */
export interface AccuracyOptions {
  /** Overrides of the dtype's {@link DEFAULT_THRESHOLDS}. */
  thresholds?: Partial<AccuracyThresholds>;
  /** onnxruntime intra-op threads (default: onnxruntime's choice). */
  threads?: number;
  /** Rows per encoder / decoder batch (default 128). */
  batchSize?: number;
}

/** Cosine of two equal-length vectors (1 when both are zero, 0 when only one is). */
function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  if (aa === 0 && bb === 0) return 1;
  return aa === 0 || bb === 0 ? 0 : ab / Math.sqrt(aa * bb);
}

/** Max abs diff and cosines (mean, min) of two [n, k] mean matrices. */
export function compareMeans(ref: Float32Array, got: Float32Array, n: number, k: number): { maxAbsDiff: number; meanCosine: number; minCosine: number } {
  if (ref.length !== n * k || got.length !== n * k) throw new RangeError(`compareMeans: expected ${n * k} values, got ${ref.length} and ${got.length}.`);
  let maxAbsDiff = 0;
  let sum = 0;
  let min = 1;
  for (let r = 0; r < n; r++) {
    const a = ref.subarray(r * k, (r + 1) * k);
    const b = got.subarray(r * k, (r + 1) * k);
    for (let j = 0; j < k; j++) {
      const d = Math.abs(a[j]! - b[j]!);
      maxAbsDiff = Number.isNaN(d) ? Infinity : Math.max(maxAbsDiff, d);
    }
    const c = cosine(a, b);
    sum += c;
    min = Math.min(min, c);
  }
  return { maxAbsDiff, meanCosine: n === 0 ? 1 : sum / n, minCosine: min };
}

type Input = string | ArrayLike<number>;

async function withModel<T>(dir: string, fused: boolean, threads: number | undefined, fn: (m: IsovaeModel) => Promise<T>): Promise<T> {
  const m = await loadModel(dir, { useFusedEncoder: fused, ...(threads === undefined ? {} : { threads }) });
  try {
    return await fn(m);
  } finally {
    await m.dispose();
  }
}

/**
 * Measure the accuracy contract of the model directory `candDir` (int8 / fp16) against `refDir` (fp32)
 * on `inputs` (texts or id rows: word ids then `<eos>`; at least 2 for active units). `source` describes
 * the inputs in the report. Never throws on a failed threshold: check `report.ok`.
 */
export async function measureAccuracy(refDir: string, candDir: string, inputs: readonly Input[], source: string, opts: AccuracyOptions = {}): Promise<AccuracyReport> {
  if (inputs.length < 2) throw new RangeError(`measureAccuracy: needs at least 2 sentences (got ${inputs.length}).`);
  let thresholds: AccuracyThresholds = DEFAULT_THRESHOLDS.fp16;
  const batch = { batchSize: opts.batchSize ?? 128 };
  const n = inputs.length;
  // Encoders: the portable graph, then the fused one when both directories have it.
  const run = async (dir: string, fused: boolean) => withModel(dir, fused, opts.threads, async (m) => {
    const { mean, k } = await m.encode(inputs, batch);
    const decoded = fused ? null : await m.decode(mean, batch);
    return { mean, k, fused: m.fusedEncoder, decoded, dtype: m.dtype, words: fused ? [] : inputs.map((x) => wordsOf(m, x)) };
  });
  const ref = await run(refDir, false);
  const got = await run(candDir, false);
  const dtype = got.dtype;
  if (dtype === 'fp32' || ref.dtype !== 'fp32') throw new RangeError(`measureAccuracy: expected an fp32 reference and an int8 / fp16 model, got ${ref.dtype} (${refDir}) and ${dtype} (${candDir}).`);
  thresholds = { ...DEFAULT_THRESHOLDS[dtype], ...opts.thresholds };
  const k = ref.k;
  const enc = compareMeans(ref.mean, got.mean, n, k);
  const encoders = ['encoder'];
  const refF = await run(refDir, true);
  const gotF = await run(candDir, true);
  if (refF.fused && gotF.fused) {
    const f = compareMeans(refF.mean, gotF.mean, n, k);
    enc.maxAbsDiff = Math.max(enc.maxAbsDiff, f.maxAbsDiff);
    enc.meanCosine = Math.min(enc.meanCosine, f.meanCosine);
    enc.minCosine = Math.min(enc.minCosine, f.minCosine);
    encoders.push('encoder_fused');
  }
  const idsRef = ref.decoded!.map((d) => Array.from(d.ids));
  const idsGot = got.decoded!.map((d) => Array.from(d.ids));
  const agree = tokenAgreement(idsGot, idsRef, EOS_ID);
  const bleuRef = bleu2(ref.decoded!.map((d) => d.words), ref.words);
  const bleuGot = bleu2(got.decoded!.map((d) => d.words), ref.words);
  const auRef = activeUnits(ref.mean, n, k).count;
  const auGot = activeUnits(got.mean, n, k).count;
  const report: AccuracyReport = {
    dtype, source, sentences: n, encoders,
    meanMaxAbsDiff: enc.maxAbsDiff, meanCosine: enc.meanCosine, minCosine: enc.minCosine,
    tokenAgreement: agree.percent / 100, exactMatch: agree.identical / n,
    bleu2: { fp32: bleuRef, quantized: bleuGot },
    activeUnits: { fp32: auRef, quantized: auGot, k },
    thresholds, failures: [], ok: true,
  };
  report.failures = checkThresholds(report);
  report.ok = report.failures.length === 0;
  return report;
}

/** The words of an input as the model sees them (texts tokenized, OOV -> unk; ids looked up), EOS excluded. */
function wordsOf(m: IsovaeModel, x: Input): string[] {
  const ids = typeof x === 'string' ? m.toIds(x).ids : Int32Array.from(x as ArrayLike<number>);
  const end = ids.indexOf(EOS_ID);
  return m.vocab.decodeIds(end < 0 ? ids : ids.subarray(0, end));
}

/** The failed thresholds of a report, one line each. */
export function checkThresholds(r: Omit<AccuracyReport, 'failures' | 'ok'>): string[] {
  const t = r.thresholds;
  const out: string[] = [];
  const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;
  if (!(r.meanCosine >= t.minMeanCosine)) out.push(`encoder means: mean cosine ${r.meanCosine.toFixed(6)} < ${t.minMeanCosine}`);
  if (!(r.meanMaxAbsDiff <= t.maxMeanAbsDiff)) out.push(`encoder means: max abs diff ${r.meanMaxAbsDiff.toExponential(2)} > ${t.maxMeanAbsDiff}`);
  if (!(r.exactMatch >= t.minExactMatch)) out.push(`reconstructions: exact-match ${pct(r.exactMatch)} < ${pct(t.minExactMatch)}`);
  if (!(r.tokenAgreement >= t.minTokenAgreement)) out.push(`reconstructions: token agreement ${pct(r.tokenAgreement)} < ${pct(t.minTokenAgreement)}`);
  const drop = r.bleu2.fp32 - r.bleu2.quantized;
  if (!(drop <= t.maxBleu2Drop)) out.push(`BLEU-2 ${(100 * r.bleu2.quantized).toFixed(2)} vs fp32 ${(100 * r.bleu2.fp32).toFixed(2)}: drop ${(100 * drop).toFixed(2)} > ${(100 * t.maxBleu2Drop).toFixed(2)} points`);
  const au = Math.abs(r.activeUnits.quantized - r.activeUnits.fp32);
  if (!(au <= t.maxActiveUnitChange)) out.push(`active units ${r.activeUnits.quantized} vs fp32 ${r.activeUnits.fp32} (change ${au} > ${t.maxActiveUnitChange})`);
  return out;
}

/** The report as aligned text lines (for the CLI). */
export function formatAccuracy(r: AccuracyReport): string {
  const t = r.thresholds;
  const dtype = r.dtype;
  const pct = (v: number): string => `${(100 * v).toFixed(2)}%`;
  const lines = [
    `accuracy of ${dtype} vs fp32 on ${r.sentences} sentences (${r.source}); encoders: ${r.encoders.join(', ')}`,
    `  encoder means   max abs diff ${r.meanMaxAbsDiff.toExponential(2)}${Number.isFinite(t.maxMeanAbsDiff) ? ` (<= ${t.maxMeanAbsDiff})` : ''}, cosine mean ${r.meanCosine.toFixed(6)} min ${r.minCosine.toFixed(6)} (mean >= ${t.minMeanCosine})`,
    `  greedy tokens   agreement ${pct(r.tokenAgreement)} (>= ${pct(t.minTokenAgreement)}), sentence exact-match ${pct(r.exactMatch)} (>= ${pct(t.minExactMatch)})`,
    `  BLEU-2          fp32 ${(100 * r.bleu2.fp32).toFixed(2)}, ${dtype} ${(100 * r.bleu2.quantized).toFixed(2)} (drop <= ${(100 * t.maxBleu2Drop).toFixed(2)})`,
    `  active units    fp32 ${r.activeUnits.fp32}/${r.activeUnits.k}, ${dtype} ${r.activeUnits.quantized}/${r.activeUnits.k} (change <= ${t.maxActiveUnitChange})`,
    ...r.failures.map((f) => `  FAIL ${f}`),
    r.ok ? 'accuracy contract: OK' : 'accuracy contract: FAILED',
  ];
  return lines.join('\n');
}
