/**
 * Per-run evaluation that needs the model (protocol §4.1-4.10): encode the test split, greedy
 * reconstructions from the means (T_test steps, cut at `<eos>`), robustness encodings of the
 * 30%-word-deleted test sentences, then every model-free metric through eval/ `evaluateRun`, the
 * qualitative experiments, and (for C = 15 grid runs) the 2-D maps. Writes nothing; the runner
 * stores the result as `<run>/metrics.json`.
 */
import { classificationProtocol, evaluateRun, map2dSvg, meanSpectrum, wordDeletion, type ClassificationResult, type MeanSpectrum, type RunMetrics } from '../eval/index.ts';
import { EOS_ID } from '../core/special.ts';
import { Rng } from '../core/rng.ts';
import type { Checkpoint } from '../train/checkpoint.ts';
import type { Dataset } from '../train/data/index.ts';
import { encodeRows, type Encoded } from '../train/encode.ts';
import { TfModel } from '../train/model.ts';
import { decodeWithPrefix } from './decode.ts';
import type { GridRun } from './grid.ts';
import type { ScalePreset } from './presets.ts';
import { runQualitative, type Qualitative } from './qualitative.ts';

/** Everything evaluated for one run (JSON; `metrics.json` without `qualitative`). */
export interface RunEvaluation {
  metrics: RunMetrics;
  /** Test sentences evaluated and T_test (longest evaluated test row incl. `<eos>`). */
  testSentences: number;
  tTest: number;
  /**
   * Diagnostic beyond the paper: the classification protocol on per-dimension standardised
   * features (z-scored over the evaluated test set), clean and 30%-deleted. The paper's MLP sees raw
   * means; when they barely vary (undertrained or collapsed encoders) it cannot use them at all.
   */
  standardized: { classification: ClassificationResult; robustness: ClassificationResult };
  qualitative: Qualitative;
  /** SVG documents of the 2-D maps of the test means (C = 15 grid runs only). */
  maps: { pca?: string; tsne?: string };
  evalSeconds: number;
}

/**
 * Test rows evaluated under `maxEvalSentences` (0 = all): the same evenly strided subset the
 * trainer uses for its test figures (train/trainer.ts), so classes stay balanced.
 */
export function evalIndices(n: number, cap: number): number[] {
  if (cap <= 0 || n <= cap) return Array.from({ length: n }, (_, i) => i);
  const stride = n / cap;
  return Array.from({ length: cap }, (_, i) => Math.floor(i * stride));
}

/** The test rows a run is evaluated on (`maxEvalSentences` cap of its config) and their indices in `ds.test`. */
function evaluatedTestRows(ck: Checkpoint, ds: Dataset): { idx: number[]; rows: Int32Array[] } {
  const idx = evalIndices(ds.test.ids.length, ck.train.maxEvalSentences);
  return { idx, rows: idx.map((i) => ds.test.ids[i]!) };
}

/**
 * Evaluates the finished checkpoint `ck` of `run` on `ds.test` (seed 0 for every evaluation
 * stream, as the paper's scripts). The trainer's test Rec (one sampled z per sentence, mean of
 * per-batch means) is taken from the checkpoint's metrics. Needs a tfjs backend.
 */
export function evaluateCheckpoint(ck: Checkpoint, run: GridRun, ds: Dataset, preset: ScalePreset, log: (line: string) => void = () => {}): RunEvaluation {
  const t0 = performance.now();
  const { idx, rows } = evaluatedTestRows(ck, ds);
  const labels = Int32Array.from(idx, (i) => ds.test.labels[i]!);
  const N = rows.length;
  const K = ck.model.latentDim;
  const tTest = Math.max(...rows.map((r) => r.length));
  const model = new TfModel(ck.model, ck.weights);
  try {
    const enc = encodeRows(model.params, ck.model, rows, ck.train.batchSize);
    log(`${run.id}: reconstructing ${N} test sentences (${tTest} steps)`);
    const gen = decodeWithPrefix(model, enc.mean, rows.map(() => []), tTest, ck.train.batchSize);
    const words = ck.vocab.words;
    const hyp = gen.map((ids) => ids.map((i) => words[i]!).join(' '));
    const ref = rows.map((r) => ck.vocab.decodeIds(r).join(' '));
    // Robustness (§4.5): one seeded stream over the test set in order; deleted words, then <eos>.
    const del = new Rng(0);
    const perturbed = rows.map((r) => Int32Array.from([...wordDeletion(Array.from(r.subarray(0, r.length - 1)), del), EOS_ID]));
    const pEnc = encodeRows(model.params, ck.model, perturbed, ck.train.batchSize);
    log(`${run.id}: metrics and ${preset.classifiers} x 2 classifiers`);
    const metrics = evaluateRun(
      { N, K, means: enc.mean, logvars: enc.logvar, labels, batchSize: ck.train.batchSize, reconstructions: { hyp, ref }, perturbedMeans: pEnc.mean },
      { seed: 0, classification: { classifiers: preset.classifiers }, aggregatedRepeats: 5 },
    );
    // Test Rec is the trainer's sampled-z estimate (protocol §4.1); KL is recomputed analytically here.
    const rec = ck.metrics?.rec;
    if (typeof rec === 'number') {
      metrics.rec = rec;
      metrics.elbo = rec + (metrics.kl ?? 0);
    }
    const cls = { seed: 0, classifiers: preset.classifiers };
    const standardized = {
      classification: classificationProtocol(standardize(enc.mean, N, K), N, K, labels, cls),
      robustness: classificationProtocol(standardize(pEnc.mean, N, K), N, K, labels, cls),
    };
    const qualitative = runQualitative(model, ck.vocab, rows, 0, preset.priorSamples);
    const maps: RunEvaluation['maps'] = {};
    if (run.group === 'grid' && run.c === 15) {
      const name = `${run.posterior === 'iso' ? 'IGP' : 'DGP'} C=15, seed ${run.seed}`;
      const svg = { classNames: ds.classes };
      maps.pca = map2dSvg(enc.mean, N, K, labels, { method: 'pca', svg: { ...svg, title: `${name}: PCA of test means` } }).svg;
      log(`${run.id}: t-SNE of ${Math.min(N, preset.tsnePoints)} test means`);
      maps.tsne = map2dSvg(enc.mean, N, K, labels, {
        method: 'tsne', tsne: { seed: 0, maxPoints: preset.tsnePoints, iterations: preset.tsneIterations }, svg: { ...svg, title: `${name}: t-SNE of test means` },
      }).svg;
    }
    return { metrics, testSentences: N, tTest, standardized, qualitative, maps, evalSeconds: (performance.now() - t0) / 1000 };
  } finally {
    model.dispose();
  }
}

/** Per-column z-scores of `x` (`[N, K]`), population std; a constant column becomes 0. */
export function standardize(x: ArrayLike<number>, N: number, K: number): Float64Array {
  const out = new Float64Array(N * K);
  for (let k = 0; k < K; k++) {
    let mu = 0;
    for (let i = 0; i < N; i++) mu += x[i * K + k] as number;
    mu /= N;
    let v = 0;
    for (let i = 0; i < N; i++) v += ((x[i * K + k] as number) - mu) ** 2;
    const sd = Math.sqrt(v / N);
    for (let i = 0; i < N; i++) out[i * K + k] = sd > 0 ? ((x[i * K + k] as number) - mu) / sd : 0;
  }
  return out;
}

/**
 * The posterior means and log-variances (`[N, K]`) of a finished checkpoint on the same evaluated test rows as
 * {@link evaluateCheckpoint}, for re-analyses of a run's codes (a few seconds; no decoding, no classifiers).
 */
export function encodeCheckpointTest(ck: Checkpoint, ds: Dataset): Encoded {
  const { rows } = evaluatedTestRows(ck, ds);
  const model = new TfModel(ck.model, ck.weights);
  try {
    return encodeRows(model.params, ck.model, rows, ck.train.batchSize);
  } finally {
    model.dispose();
  }
}

/**
 * The rotation-invariant active-directions diagnostic (eval/ activeDirections) of a finished
 * checkpoint's test means, for run records written before `metrics.spectrum` existed.
 */
export function spectrumOfCheckpoint(ck: Checkpoint, ds: Dataset): MeanSpectrum {
  const enc = encodeCheckpointTest(ck, ds);
  return meanSpectrum(enc.mean, enc.n, enc.k);
}
