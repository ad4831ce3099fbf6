/**
 * `isovae evaluate`: one rerunnable report of exported model directories (fp32, int8, fp16) on the SAME test
 * sentences, computed with the runtime (onnxruntime-node), so old and new shipped models compare fairly even
 * though their vocabularies differ (issue 13).
 *
 * Test sentences: the dataset's test split exactly as the trainer builds it (train/data, data seed 0 by default;
 * Brown's split is by file, so it does not depend on any vocabulary), in split order, keeping sentences of at most
 * `maxWords` words, the first `sentences` of them. Every model tokenises those same words with its own vocab.txt.
 *
 * Per model (all in nats per sentence where a unit applies):
 * - Rec: teacher-forced reconstruction NLL, summed over the sentence's tokens incl. `<eos>` (decoder input `<bos>`,
 *   w1..wn; targets w1..wn, `<eos>`; log-softmax of `decoder_step`'s logits in float64), one sampled
 *   z = mean + exp(logvar / 2) * eps per sentence (eps: one core/rng.ts stream, seed 0, K draws per sentence in
 *   order; the AE uses its code). Averaged as the paper does: mean of per-batch means (eval testLossSummary).
 * - KL: analytic, from the encoder's means / log-variances (eval gaussianKl), same averaging.
 * - AU and active directions of the means (eval activeUnits / activeDirections, threshold 0.01).
 * - BLEU-2 (NLTK corpus BLEU, weights 0.5 0.5) of greedy reconstructions from the mean against (a) the sentence's
 *   own words (an out-of-vocabulary word stays a word, so a generated `unk` is a miss: the cross-model figure) and
 *   (b) the model's unk-replaced reference (the paper's convention).
 * - unk rates: share of `unk` among the generated words, and among the encoded input words.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import { EXAMPLE_SENTENCES } from '../core/example-sentences.ts';
import { MANIFEST_FILE, manifestDtype, parseManifest, type ModelManifest } from '../core/model-dir.ts';
import { Rng } from '../core/rng.ts';
import { BOS_ID, EOS_ID, NUM_SPECIAL, UNK_TOKEN } from '../core/special.ts';
import type { Vocab } from '../core/vocab.ts';
import { activeDirections, activeUnits } from '../eval/active-units.ts';
import { bleu2 } from '../eval/bleu.ts';
import { gaussianKl, testLossSummary } from '../eval/test-loss.ts';
import { loadModel, type IsovaeModel, type LoadOptions } from '../runtime/index.ts';
import { loadSplitTokens } from '../train/data/index.ts';

/** Default number of test sentences evaluated per model. */
export const DEFAULT_REPORT_SENTENCES = 2000;
/** Rows per runtime batch and per batch mean of Rec / KL (the paper's batch size). */
export const DEFAULT_REPORT_BATCH = 128;

/** Options of {@link modelReport}. */
export interface ModelReportOptions {
  /** Dataset whose test split is evaluated. Default `{ kind: 'brown' }` (the embedded corpus). */
  data?: DataSource;
  /** Seed of the dataset's carved splits (as the trainer's `dataSeed`). Default 0. */
  dataSeed?: number;
  /** Number of test sentences (the first ones, in split order, after the length filter). Default 2000; >= 2. */
  sentences?: number;
  /** Longest sentence kept, in words (`<eos>` excluded). Default: the smallest `maxLen - 1` of the models' manifests. */
  maxWords?: number;
  /** Rows per runtime batch, and the batch of the mean of per-batch means. Default 128. */
  batchSize?: number;
  /** Seed of the eps stream of the sampled z (core/rng.ts). Default 0. */
  seed?: number;
  /** Sentences reconstructed as examples. Default core/example-sentences.ts EXAMPLE_SENTENCES. */
  examples?: readonly string[];
  /** Runtime load options (threads, providers). */
  load?: LoadOptions;
  /** Opens a model directory. Default: the runtime's `loadModel(dir, load)` (onnxruntime-node); tests inject a counting one. */
  open?: (dir: string) => Promise<IsovaeModel>;
  /** Called as work progresses (for a progress bar). */
  onProgress?: (p: ReportProgress) => void;
}

/** Progress of {@link modelReport}: model `model` of `models`, `phase`, and `done` of `total` units of the phase. */
export interface ReportProgress {
  model: number;
  models: number;
  dir: string;
  phase: 'loading data' | 'encoding' | 'rec' | 'greedy' | 'examples';
  done: number;
  total: number;
}

/** One model's figures (one row of the report's table). */
export interface ModelRow {
  /** The model directory as given. */
  dir: string;
  dtype: string;
  posterior: string;
  /** V, E, H, K from the manifest. */
  vocabSize: number;
  embeddingDim: number;
  hiddenDim: number;
  latentDim: number;
  /** Target KL C of training (manifest `training.c`), or null if the manifest does not record it. */
  c: number | null;
  /** The manifest's maxLen (tokens incl. `<eos>`): greedy reconstructions generate at most this many tokens. */
  maxLen: number;
  /** Teacher-forced reconstruction NLL, nats per sentence (mean of per-batch means). */
  rec: number;
  /** Analytic KL, nats per sentence (mean of per-batch means); null for an AE. */
  kl: number | null;
  /** Active units of the means (threshold 0.01), of K. */
  au: number;
  /** Active directions of the means (eigenvalues of their covariance > 0.01), of K. */
  directions: number;
  /** BLEU-2 (fraction in [0, 1]) of greedy reconstructions against the original words. */
  bleu2Words: number;
  /** BLEU-2 (fraction) against the model's unk-replaced reference (the paper's convention). */
  bleu2Unk: number;
  /** Share of `unk` among the words of the greedy reconstructions. */
  unkRecon: number;
  /** Share of `unk` among the encoded input words (out-of-vocabulary words of this model). */
  unkInput: number;
  /** Sentences evaluated. */
  sentences: number;
  /** Reconstructions of the example sentences, aligned with the report's `examples`. */
  examples: string[];
}

/** The report: settings, one row per model, and the example sentences. */
export interface ModelReport {
  /** Dataset description, e.g. `brown` or `csv:path`. */
  data: string;
  dataSeed: number;
  /** Longest sentence kept, in words. */
  maxWords: number;
  /** Sentences evaluated (the same for every model). */
  sentences: number;
  /** Test sentences in the split, and how many of them have at most `maxWords` words. */
  testSentences: number;
  testSentencesShortEnough: number;
  batchSize: number;
  seed: number;
  rows: ModelRow[];
  examples: string[];
  /** Things a reader must know (e.g. a model trained on other data or with another data seed). */
  notes: string[];
}

/**
 * The first `n` sentences (in order) of `sentences` with at most `maxWords` tokens (empty ones are dropped, as the
 * trainer drops them). Returns the kept sentences and how many were short enough in all.
 */
export function selectSentences(sentences: readonly string[][], maxWords: number, n: number): { kept: string[][]; shortEnough: number } {
  if (!Number.isInteger(maxWords) || maxWords < 1) throw new RangeError(`maxWords must be an integer >= 1 (got ${String(maxWords)}).`);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`sentences must be an integer >= 1 (got ${String(n)}).`);
  const short = sentences.filter((s) => s.length > 0 && s.length <= maxWords);
  return { kept: short.slice(0, n), shortEnough: short.length };
}

/**
 * Tokens -> encoder ids with `vocab` as training encodes them (Vocab.encodeTokens: out-of-vocabulary -> `unk`),
 * a token spelling a special (`<eos>`) also -> `unk` as the runtime does, then `<eos>`. `[words + 1]`.
 */
export function tokensToIds(vocab: Vocab, tokens: readonly string[]): Int32Array {
  const ids = new Int32Array(tokens.length + 1);
  for (let i = 0; i < tokens.length; i++) {
    const id = vocab.idOf(tokens[i]!);
    ids[i] = id < NUM_SPECIAL ? vocab.unkId : id;
  }
  ids[tokens.length] = EOS_ID;
  return ids;
}

/** BLEU-2 and unk figures of greedy reconstructions (see {@link scoreReconstructions}). */
export interface ReconstructionScores {
  /** BLEU-2 (fraction) against the original words: a generated `unk` never matches. */
  bleu2Words: number;
  /** BLEU-2 (fraction) against the unk-replaced references (the paper's convention). */
  bleu2Unk: number;
  /** Share of `unk` among the hypotheses' words. */
  unkRecon: number;
  /** Share of `unk` among the unk-replaced references' words (the model's encoded input). */
  unkInput: number;
}

/**
 * Score greedy reconstructions `hyps` (words, `<eos>` excluded) against the original sentences `words` and
 * against `unkRefs`, the same sentences as the model reads them (out-of-vocabulary words -> `unk`); all three
 * aligned, one entry per sentence. BLEU-2: eval/bleu.ts (NLTK corpus BLEU, weights 0.5 0.5, no smoothing).
 */
export function scoreReconstructions(hyps: readonly string[][], words: readonly string[][], unkRefs: readonly string[][]): ReconstructionScores {
  if (words.length !== hyps.length || unkRefs.length !== hyps.length) {
    throw new RangeError(`scoreReconstructions: ${hyps.length} hypotheses, ${words.length} sentences and ${unkRefs.length} unk references; need one each per sentence.`);
  }
  return {
    bleu2Words: bleu2(hyps, words),
    bleu2Unk: bleu2(hyps, unkRefs),
    unkRecon: unkWordShare(hyps),
    unkInput: unkWordShare(unkRefs),
  };
}

/** Share of the word `unk` among all words of `rows` (0 when there are none). */
function unkWordShare(rows: readonly string[][]): number {
  let words = 0;
  let unk = 0;
  for (const r of rows) {
    words += r.length;
    for (const w of r) if (w === UNK_TOKEN) unk++;
  }
  return words === 0 ? 0 : unk / words;
}

/**
 * z = mean + exp(logvar / 2) * eps, `[n * K]`, eps ~ N(0, 1) from one `Rng(seed)` stream drawn row by row
 * (K draws per row, in order). `logvar` null (an AE): z = mean.
 */
export function sampleLatents(mean: Float32Array, logvar: Float32Array | null, seed: number): Float32Array {
  if (logvar === null) return mean.slice();
  if (logvar.length !== mean.length) throw new RangeError(`sampleLatents: ${mean.length} means but ${logvar.length} log-variances.`);
  const rng = new Rng(seed);
  const z = new Float32Array(mean.length);
  for (let i = 0; i < z.length; i++) z[i] = mean[i]! + Math.exp(logvar[i]! / 2) * rng.normal();
  return z;
}

/**
 * Teacher-forced NLL per sentence in nats, `[n]` float64: for row i (`rows[i]` = word ids then `<eos>`) the decoder
 * is fed `<bos>`, w1..wn with z row i (`z` `[n * K]`), and the NLL is -sum_t log softmax(logits_t)[target_t] over
 * the targets w1..wn, `<eos>` (log-softmax in float64 from `decoder_step`'s float32 logits). `batchSize` rows per
 * run (default 128); shorter rows of a batch are fed `<eos>` after their end and their outputs ignored.
 */
export async function teacherForcedNll(
  model: IsovaeModel,
  rows: readonly Int32Array[],
  z: Float32Array,
  opts: { batchSize?: number; onBatch?: (done: number, total: number) => void } = {},
): Promise<Float64Array> {
  const K = model.latentDim;
  const H = model.config.hiddenDim;
  const V = model.config.vocabSize;
  const batchSize = opts.batchSize ?? DEFAULT_REPORT_BATCH;
  if (z.length !== rows.length * K) throw new RangeError(`teacherForcedNll: z has ${z.length} values, expected ${rows.length} x K = ${K}.`);
  const nll = new Float64Array(rows.length);
  for (let s = 0; s < rows.length; s += batchSize) {
    const batch = rows.slice(s, s + batchSize);
    const b = batch.length;
    const steps = Math.max(...batch.map((r) => r.length));
    const zb = z.slice(s * K, (s + b) * K);
    let h: Float32Array = new Float32Array(b * H);
    let c: Float32Array = new Float32Array(b * H);
    for (let t = 0; t < steps; t++) {
      const token = Int32Array.from(batch, (r) => (t === 0 ? BOS_ID : t - 1 < r.length ? r[t - 1]! : EOS_ID));
      const out = await model.decoderStepLogits({ token, z: zb, h, c });
      for (let i = 0; i < b; i++) {
        const row = batch[i]!;
        if (t >= row.length) continue;
        nll[s + i] = nll[s + i]! - logSoftmaxAt(out.logits, i * V, V, row[t]!);
      }
      h = out.h;
      c = out.c;
    }
    opts.onBatch?.(Math.min(rows.length, s + b), rows.length);
  }
  return nll;
}

/** log softmax(x[off .. off + V))[target] in float64 (max-shifted log-sum-exp). */
function logSoftmaxAt(x: Float32Array, off: number, V: number, target: number): number {
  let max = -Infinity;
  for (let j = 0; j < V; j++) max = Math.max(max, x[off + j]!);
  let sum = 0;
  for (let j = 0; j < V; j++) sum += Math.exp(x[off + j]! - max);
  return x[off + target]! - max - Math.log(sum);
}

/** Read and check `<dir>/manifest.json`; a missing or non-directory `dir` is `IsovaeError('E_MANIFEST')` naming it. */
export function readModelManifest(dir: string): ModelManifest {
  if (!existsSync(dir)) throw new IsovaeError('E_MANIFEST', `${dir}: no such model directory; give a directory written by isovae export (e.g. models/igp-brown-c50).`);
  if (!statSync(dir).isDirectory()) throw new IsovaeError('E_MANIFEST', `${dir} is a file, not a model directory; give the directory written by isovae export.`);
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) throw new IsovaeError('E_MANIFEST', `${file} does not exist; point to a model directory written by isovae export.`);
  return parseManifest(readFileSync(file, 'utf8'), file);
}

/** `brown`, `csv:<dir>` or `dir:<dir>`: how the report names a data source. */
export function dataLabel(d: DataSource): string {
  return d.kind === 'brown' ? 'brown' : `${d.kind}:${d.path}`;
}

/**
 * Evaluate every model directory of `dirs` (in order, one loaded at a time, each released after use) on the same
 * test sentences; see the module comment for the figures and ModelReportOptions for the defaults. Errors:
 * `IsovaeError` E_MANIFEST for a missing or bad directory (before any work), E_DATA_EMPTY when fewer than 2
 * sentences are left after the length filter, the data loader's errors for the data; RangeError for bad options.
 */
export async function modelReport(dirs: readonly string[], opts: ModelReportOptions = {}): Promise<ModelReport> {
  if (dirs.length === 0) throw new RangeError('modelReport: give at least one model directory.');
  const manifests = dirs.map(readModelManifest);
  const data = opts.data ?? { kind: 'brown' };
  const dataSeed = opts.dataSeed ?? 0;
  const n = opts.sentences ?? DEFAULT_REPORT_SENTENCES;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`sentences must be an integer >= 2 (AU needs two means; got ${String(n)}).`);
  const maxWords = opts.maxWords ?? Math.min(...manifests.map((m) => m.maxLen - 1));
  const batchSize = opts.batchSize ?? DEFAULT_REPORT_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be an integer >= 1 (got ${String(batchSize)}).`);
  const seed = opts.seed ?? 0;
  const examples = [...(opts.examples ?? EXAMPLE_SENTENCES)];
  const progress = (i: number, phase: ReportProgress['phase'], done: number, total: number) =>
    opts.onProgress?.({ model: i + 1, models: dirs.length, dir: dirs[i]!, phase, done, total });

  progress(0, 'loading data', 0, 1);
  const tokens = await loadSplitTokens(data, { seed: dataSeed });
  const test = tokens.splits.test;
  const { kept, shortEnough } = selectSentences(test, maxWords, n);
  if (kept.length < 2) {
    throw new IsovaeError('E_DATA_EMPTY', `${dataLabel(data)}: ${kept.length} of the ${test.length} test sentences have at most ${maxWords} words; ` +
      'the report needs at least 2. Raise --max-words or use other data.');
  }
  const notes = manifestNotes(dirs, manifests, data, dataSeed);
  const rows: ModelRow[] = [];
  for (let i = 0; i < dirs.length; i++) {
    const model = await (opts.open ?? ((d: string) => loadModel(d, opts.load)))(dirs[i]!);
    try {
      rows.push(await evaluateOne(model, dirs[i]!, manifests[i]!, kept, { batchSize, seed, examples, progress: (phase, done, total) => progress(i, phase, done, total) }));
    } finally {
      await model.dispose();
    }
  }
  return { data: dataLabel(data), dataSeed, maxWords, sentences: kept.length, testSentences: test.length, testSentencesShortEnough: shortEnough, batchSize, seed, rows, examples, notes };
}

async function evaluateOne(
  model: IsovaeModel,
  dir: string,
  manifest: ModelManifest,
  sentences: readonly string[][],
  o: { batchSize: number; seed: number; examples: string[]; progress: (phase: ReportProgress['phase'], done: number, total: number) => void },
): Promise<ModelRow> {
  const N = sentences.length;
  const K = model.latentDim;
  const ids = sentences.map((s) => tokensToIds(model.vocab, s));
  o.progress('encoding', 0, N);
  const { mean, logvar } = await model.encode(ids, { batchSize: o.batchSize });
  const z = sampleLatents(mean, logvar, o.seed);
  o.progress('rec', 0, N);
  const rec = await teacherForcedNll(model, ids, z, { batchSize: o.batchSize, onBatch: (done, total) => o.progress('rec', done, total) });
  const kl = logvar === null ? null : gaussianKl(mean, logvar, N, K);
  const loss = testLossSummary(rec, kl, o.batchSize);
  const decoded: Array<{ words: string[] }> = [];
  for (let s = 0; s < N; s += o.batchSize) {
    // Decoded in slices only to report progress; rows are independent, so this equals one decode call.
    const b = Math.min(o.batchSize, N - s);
    decoded.push(...(await model.decode(mean.slice(s * K, (s + b) * K), { batchSize: o.batchSize })));
    o.progress('greedy', s + b, N);
  }
  const hyps = decoded.map((d) => d.words);
  o.progress('examples', 0, o.examples.length);
  const ex = o.examples.length > 0 ? await model.reconstruct(o.examples) : [];
  const cfg = model.config;
  return {
    dir,
    dtype: manifestDtype(manifest),
    posterior: cfg.posterior,
    vocabSize: cfg.vocabSize,
    embeddingDim: cfg.embeddingDim,
    hiddenDim: cfg.hiddenDim,
    latentDim: K,
    c: trainingField(manifest, 'c'),
    maxLen: model.maxLen,
    rec: loss.rec,
    kl: loss.kl,
    au: activeUnits(mean, N, K).count,
    directions: activeDirections(mean, N, K).count,
    ...scoreReconstructions(hyps, sentences, ids.map((r) => model.vocab.decodeIds(r))),
    sentences: N,
    examples: ex.map((d) => d.text),
  };
}

/** A numeric field of the manifest's free-form `training` record, or null. */
function trainingField(m: ModelManifest, key: string): number | null {
  const t = m.training;
  if (typeof t !== 'object' || t === null) return null;
  const v = (t as Record<string, unknown>)[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Notes for models trained on other data or with another data seed (their test split is not this one). */
function manifestNotes(dirs: readonly string[], manifests: readonly ModelManifest[], data: DataSource, dataSeed: number): string[] {
  const notes: string[] = [];
  manifests.forEach((m, i) => {
    const t = m.training;
    if (typeof t !== 'object' || t === null) {
      notes.push(`${dirs[i]}: the manifest does not record the training data; its test split may differ from this one.`);
      return;
    }
    const rec = t as { data?: { kind?: unknown; path?: unknown }; dataSeed?: unknown };
    const kind = rec.data?.kind;
    if (typeof kind === 'string' && (kind !== data.kind || (data.kind !== 'brown' && rec.data?.path !== data.path))) {
      notes.push(`${dirs[i]}: trained on ${kind === 'brown' ? 'brown' : `${kind}:${String(rec.data?.path)}`}, evaluated on ${dataLabel(data)}.`);
    }
    if (typeof rec.dataSeed === 'number' && rec.dataSeed !== dataSeed) {
      notes.push(`${dirs[i]}: trained with data seed ${rec.dataSeed}, evaluated on the split of data seed ${dataSeed} (some test sentences may be its training sentences).`);
    }
  });
  return notes;
}

const pct = (x: number): string => (100 * x).toFixed(1);

/**
 * The report as Markdown: the settings line, one table row per model (BLEU-2 and unk rates x100), the notes,
 * then each example sentence with every model's reconstruction.
 */
export function formatModelReport(r: ModelReport): string {
  const lines: string[] = [];
  lines.push(`Test split of ${r.data} (data seed ${r.dataSeed}): the first ${r.sentences} of the ${r.testSentencesShortEnough} test sentences ` +
    `with at most ${r.maxWords} words (${r.testSentences} in the split), the same for every model. Rec: teacher-forced NLL with one sampled z ` +
    `per sentence (eps seed ${r.seed}), KL analytic, both nats per sentence, mean of per-batch means (batch ${r.batchSize}). ` +
    'AU / directions: of the means, threshold 0.01. BLEU-2 x100 of greedy reconstructions from the mean, against the original ' +
    'words (an `unk` is a miss) and against the model\'s unk-replaced reference (the paper\'s convention). unk %: share of `unk` ' +
    'in the reconstructions (in the model\'s encoded input).');
  lines.push('');
  lines.push('| model | dtype | V | E | H | K | C | posterior | Rec | KL | AU | directions | BLEU-2 (words) | BLEU-2 (unk refs) | unk % recon (input) | sentences |');
  lines.push('|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const m of r.rows) {
    const post = m.posterior === 'iso' ? 'IGP' : m.posterior === 'diag' ? 'DGP' : 'AE';
    lines.push(`| ${m.dir} | ${m.dtype} | ${m.vocabSize} | ${m.embeddingDim} | ${m.hiddenDim} | ${m.latentDim} | ${m.c ?? '-'} | ${post} | ` +
      `${m.rec.toFixed(2)} | ${m.kl === null ? '-' : m.kl.toFixed(2)} | ${m.au}/${m.latentDim} | ${m.directions}/${m.latentDim} | ` +
      `${pct(m.bleu2Words)} | ${pct(m.bleu2Unk)} | ${pct(m.unkRecon)} (${pct(m.unkInput)}) | ${m.sentences} |`);
  }
  if (r.notes.length > 0) lines.push('', ...r.notes.map((n) => `Note: ${n}`));
  if (r.examples.length > 0) {
    lines.push('', 'Reconstructions (greedy from the mean) of sentences written by the team:', '');
    r.examples.forEach((s, i) => {
      lines.push(`- in: ${s}`);
      for (const m of r.rows) lines.push(`  - ${m.dir}: ${m.examples[i] ?? ''}`);
    });
  }
  return lines.join('\n') + '\n';
}
