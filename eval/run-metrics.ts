/**
 * All model-free metrics of one trained run, from what a driver gets out of the encoder and the
 * decoder (protocol §4.1-4.7): Table 4 (Rec, KL, AU, BLEU, ROUGE), Table 2 (aggregated
 * posterior), Table 3 (isotropy of means and of one sample per sentence) and the classification /
 * robustness accuracies. Everything is float64 and JSON-serialisable (results.json).
 */
import { activeDirections, activeUnits } from './active-units.ts';
import { aggregatedPosterior, reparameterize, type AggregatedPosterior } from './aggregated.ts';
import { classificationProtocol, type ClassificationOptions, type ClassificationResult } from './classify.ts';
import { isotropyScore } from './isotropy.ts';
import { seededUniform } from './random.ts';
import { meanOfBatchMeans } from './stats.ts';
import { reconstructionScores, type ReconstructionScores } from './reconstruction.ts';
import { gaussianKl, testLossSummary } from './test-loss.ts';

/** Encoder / decoder outputs of one run on the test split, in test-file order. */
export interface RunOutputs {
  N: number;
  K: number;
  /** Posterior means `[N, K]` (z for the AE). */
  means: ArrayLike<number>;
  /** Log-variances `[N, K]` (or `[N]` for IGP); null for the AE. */
  logvars: ArrayLike<number> | null;
  /** Class ids `[N]`. */
  labels: ArrayLike<number>;
  /** Per-sentence reconstruction loss with one sampled z (nats, summed incl. `<eos>`), `[N]`. */
  rec?: ArrayLike<number>;
  /** Test batch size of the run's config (for the mean of per-batch means). */
  batchSize: number;
  /** Greedy reconstructions from the means (one line each, cut at `<eos>`) and the reference lines. */
  reconstructions?: { hyp: readonly string[]; ref: readonly string[] };
  /** Posterior means `[N, K]` of the 30%-word-deleted test sentences (robustness). */
  perturbedMeans?: ArrayLike<number>;
}

/** Options of {@link evaluateRun}. */
export interface EvaluateRunOptions {
  /** [0] Evaluation seed (paper scripts default to 0): samples, splits, classifiers. */
  seed: number;
  /** Classification settings, or false to skip classification and robustness (they need tfjs). */
  classification: Partial<ClassificationOptions> | false;
  /** [5] Repeats of the aggregated-posterior statistics. */
  aggregatedRepeats: number;
}

/** The active-directions diagnostic as stored in a run's metrics (see activeDirections). */
export interface MeanSpectrum {
  activeDirections: number;
  effectiveRank: number;
  /** Eigenvalues of Cov[means], descending, `[K]`. */
  eigenvalues: number[];
}

/** {@link MeanSpectrum} of the posterior means `means` (`[N, K]` row-major), AU's 0.01 threshold. */
export function meanSpectrum(means: ArrayLike<number>, N: number, K: number): MeanSpectrum {
  const d = activeDirections(means, N, K);
  return { activeDirections: d.count, effectiveRank: d.effectiveRank, eigenvalues: d.eigenvalues };
}

/** Metrics of one run; fractions are NOT scaled (BLEU 0.25 means 25 in the paper's tables). */
export interface RunMetrics {
  rec: number | null;
  kl: number | null;
  elbo: number | null;
  au: number;
  auVariances: number[];
  /**
   * Diagnostic beyond the paper: eigen-directions of Cov[means] above the AU threshold (rotation
   * invariant; see activeDirections), their effective rank and the eigenvalues (descending).
   * Absent in records written before it existed (the reproduce runner backfills it).
   */
  spectrum?: MeanSpectrum;
  reconstruction: ReconstructionScores | null;
  aggregated: { logDet: number; meanSqNorm: number };
  isotropy: { mean: number; sample: number; meanCanonical: number; sampleCanonical: number };
  classification: ClassificationResult | null;
  robustness: ClassificationResult | null;
}

/**
 * The seeded draws of {@link evaluateRun} from q(z|x), in its order: Table 2's `repeats` aggregated-posterior
 * samples, then Table 3's one sample per sentence (`[N, K]`; for the AE, logvars null, the code itself). One
 * definition, so a re-analysis of a run's codes (scripts/isotropy-check.ts) draws the sample the run was scored on.
 */
export function evaluationDraws(
  means: ArrayLike<number>, logvars: ArrayLike<number> | null, N: number, K: number, seed = 0, repeats = 5,
): { aggregated: AggregatedPosterior; sample: Float64Array } {
  const rng = seededUniform(seed);
  const aggregated = aggregatedPosterior(() => reparameterize(means, logvars, N, K, rng), N, K, repeats);
  return { aggregated, sample: reparameterize(means, logvars, N, K, rng) };
}

/**
 * Computes every model-free metric of one run. Samples z ~ q(z|x) (Table 2's 5 repeats and
 * Table 3's one draw per sentence) from a seeded stream; for the AE the "sample" is the code
 * itself. Classification needs a tfjs backend to be set (skip with `classification: false`).
 */
export function evaluateRun(out: RunOutputs, options: Partial<EvaluateRunOptions> = {}): RunMetrics {
  const { N, K } = out;
  const seed = options.seed ?? 0;
  const kl = out.logvars ? gaussianKl(out.means, out.logvars, N, K) : null;
  const losses = out.rec ? testLossSummary(out.rec, kl, out.batchSize) : null;
  const au = activeUnits(out.means, N, K);
  const { aggregated, sample } = evaluationDraws(out.means, out.logvars, N, K, seed, options.aggregatedRepeats ?? 5);
  const cls = options.classification ?? {};
  const clsOpts = cls === false ? null : { seed, ...cls };
  return {
    rec: losses?.rec ?? null,
    kl: losses ? losses.kl : kl ? meanOfBatchMeans(kl, out.batchSize) : null,
    elbo: losses?.elbo ?? null,
    au: au.count,
    auVariances: Array.from(au.variances),
    spectrum: meanSpectrum(out.means, N, K),
    reconstruction: out.reconstructions ? reconstructionScores(out.reconstructions.hyp, out.reconstructions.ref) : null,
    aggregated: { logDet: aggregated.logDet, meanSqNorm: aggregated.meanSqNorm },
    isotropy: {
      mean: isotropyScore(out.means, N, K).score,
      sample: isotropyScore(sample, N, K).score,
      meanCanonical: isotropyScore(out.means, N, K, { signs: 'canonical' }).score,
      sampleCanonical: isotropyScore(sample, N, K, { signs: 'canonical' }).score,
    },
    classification: clsOpts ? classificationProtocol(out.means, N, K, out.labels, clsOpts) : null,
    robustness: clsOpts && out.perturbedMeans ? classificationProtocol(out.perturbedMeans, N, K, out.labels, clsOpts) : null,
  };
}
