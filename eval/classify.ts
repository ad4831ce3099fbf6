/**
 * The paper's classification protocol on frozen codes (protocol §4.3, classification.py; reused
 * unchanged on perturbed codes for robustness, §4.5, and on sample-efficiency encoders, §4.4):
 * shuffle the N rows with a seeded permutation; the first floor(0.8 N) rows are the classifier's
 * fit set, of which Keras `validation_split=0.2` holds out the last 20% (monitoring only, so
 * unused here) and trains on the first floor(0.8 * floor(0.8 N)); the remaining rows are the test
 * set. Train 10 freshly initialised 128-128 ReLU MLPs; report their accuracies, mean and
 * population std (ddof = 0).
 */
import { checkMatrix } from './matrix.ts';
import { asUniform, permutation, seededUniform, type RandomSource } from './random.ts';
import { meanStd } from './stats.ts';
import { trainAndEvaluateMlps, type LabelledRows, type MlpOptions } from './mlp.ts';

/** Row indices of the three parts of the classification split (into the original row order). */
export interface ClassificationSplit {
  /** Rows the classifier is trained on: first floor(floor(0.8 N) * 0.8) of the permutation. */
  train: Int32Array;
  /** Keras validation rows (last 20% of the 80%); held out and unused, as in the paper's code. */
  validation: Int32Array;
  /** Held-out rows the accuracy is measured on (the last N - floor(0.8 N)). */
  test: Int32Array;
}

/**
 * The split of classification.py: `perm` = seeded permutation of 0..N-1; nFit = floor(trainFraction
 * * N) (Python `int(0.8 * N)`); Keras keeps floor(nFit * (1 - validationSplit)) rows for training
 * and the rest of the first nFit as validation; test = perm[nFit:]. DBpedia-size N = 14,000 gives
 * 8,960 / 2,240 / 2,800.
 */
export function classificationSplit(N: number, rng: RandomSource, trainFraction = 0.8, validationSplit = 0.2): ClassificationSplit {
  if (!(trainFraction > 0 && trainFraction < 1)) throw new RangeError(`classificationSplit trainFraction: expected (0, 1), got ${trainFraction}`);
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new RangeError(`classificationSplit validationSplit: expected [0, 1), got ${validationSplit}`);
  const perm = permutation(N, asUniform(rng));
  const nFit = Math.floor(trainFraction * N);
  const nTrain = Math.floor(nFit * (1 - validationSplit));
  if (nTrain < 1 || nFit >= N) throw new RangeError(`classificationSplit: N=${N} rows is too few for a train and a test part`);
  return { train: perm.slice(0, nTrain), validation: perm.slice(nTrain, nFit), test: perm.slice(nFit) };
}

/** Options of {@link classificationProtocol}. */
export interface ClassificationOptions {
  /** Seed of the split permutation and of the classifiers' initialisation / shuffles (default 0). */
  seed: number;
  /** Number of freshly initialised classifiers (default 10). */
  classifiers: number;
  trainFraction: number;
  validationSplit: number;
  /** Classifier hyper-parameters (defaults: classification.py's). */
  mlp: Partial<MlpOptions>;
  /** Progress: called after each classifier with (done, total) classifiers and its accuracy. */
  onProgress?: (done: number, total: number, accuracy: number) => void;
}

/** Result of {@link classificationProtocol}: accuracies are fractions in [0, 1]. */
export interface ClassificationResult {
  accuracies: number[];
  mean: number;
  /** Population std (ddof = 0, `np.std`) over the classifiers. */
  std: number;
  numClasses: number;
  sizes: { train: number; validation: number; test: number };
}

function gatherRows(x: ArrayLike<number>, labels: ArrayLike<number>, K: number, rows: Int32Array): LabelledRows {
  const out = new Float32Array(rows.length * K);
  const y = new Int32Array(rows.length);
  rows.forEach((r, i) => {
    for (let k = 0; k < K; k++) out[i * K + k] = x[r * K + k] as number;
    y[i] = labels[r] as number;
  });
  return { x: out, y, n: rows.length };
}

/**
 * Runs the classification protocol on `features` (`[N, K]` row-major, e.g. test posterior means;
 * z for the AE) with integer class `labels` (`[N]`, 0-based; numClasses = max + 1). One seeded
 * stream first draws the split permutation, then every classifier's initialisation and epoch
 * shuffles, so a given (seed, N) always gives the same split (robustness reuses it). Needs a tfjs
 * backend set by the caller. Cost: classifiers x epochs x ceil(0.64 N / 64) steps (wasm: ~2.7 ms each).
 */
export function classificationProtocol(
  features: ArrayLike<number>,
  N: number,
  K: number,
  labels: ArrayLike<number>,
  options: Partial<ClassificationOptions> = {},
): ClassificationResult {
  checkMatrix('classificationProtocol features', features, N, K);
  if (labels.length !== N) throw new RangeError(`classificationProtocol labels: ${labels.length} labels for N=${N} rows`);
  let maxLabel = 0;
  for (let i = 0; i < N; i++) {
    const l = labels[i] as number;
    if (!Number.isInteger(l) || l < 0) throw new RangeError(`classificationProtocol labels[${i}] = ${l}; expected a non-negative integer class id`);
    if (l > maxLabel) maxLabel = l;
  }
  const numClasses = maxLabel + 1;
  const seed = options.seed ?? 0;
  const classifiers = options.classifiers ?? 10;
  if (!Number.isInteger(classifiers) || classifiers < 1) throw new RangeError(`classificationProtocol classifiers: expected an integer >= 1, got ${classifiers}`);
  const u = seededUniform(seed);
  const split = classificationSplit(N, u, options.trainFraction ?? 0.8, options.validationSplit ?? 0.2);
  const train = gatherRows(features, labels, K, split.train);
  const test = gatherRows(features, labels, K, split.test);
  const accuracies = trainAndEvaluateMlps(train, test, K, numClasses, u, classifiers, options.mlp ?? {}, (k, acc) =>
    options.onProgress?.(k + 1, classifiers, acc),
  );
  const { mean, std } = meanStd(accuracies);
  return {
    accuracies,
    mean,
    std,
    numClasses,
    sizes: { train: split.train.length, validation: split.validation.length, test: split.test.length },
  };
}
