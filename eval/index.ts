/**
 * The evaluation library (issue #4 item 1): every metric of the paper's protocol as a pure,
 * tested function. Matrices are flat row-major arrays with explicit [N, K] dimensions; all
 * statistics are float64. Only `classificationProtocol` / `trainAndEvaluateMlps` use tfjs (the
 * caller selects the backend).
 */
export { activeDirections, activeUnits, type ActiveDirections, type ActiveUnits } from './active-units.ts';
export { aggregatedPosterior, logDetCov, reparameterize, squaredNormOfMean, type AggregatedPosterior } from './aggregated.ts';
export { bleu1, bleu2, bleu4, corpusBleu, corpusBleuDetails, splitWhitespace, PY_FLOAT_MIN, type BleuDetails } from './bleu.ts';
export {
  classificationProtocol,
  classificationSplit,
  type ClassificationOptions,
  type ClassificationResult,
  type ClassificationSplit,
} from './classify.ts';
export { isotropyScore, type IsotropyResult, type IsotropySigns } from './isotropy.ts';
export { cholesky, jacobiEigen, logDetSpd, type SymmetricEigen } from './linalg.ts';
export { linePlotSvg, type LinePlotOptions, type LineSeries } from './line-plot-svg.ts';
export { map2dSvg, type Map2dOptions, type Map2dResult } from './map2d.ts';
export { covariance, columnMeans } from './matrix.ts';
export { DEFAULT_MLP_OPTIONS, initMlpParams, mlpLogits, mlpLossAndGrads, trainAndEvaluateMlps, type LabelledRows, type MlpOptions } from './mlp.ts';
export { pca, type PcaResult } from './pca.ts';
export {
  dimensionwiseHomotopy,
  homotopyWeights,
  imputationPrefixLength,
  keptWordCount,
  linearHomotopy,
  samplePool,
  wordDeletion,
} from './perturb.ts';
export { asUniform, normal, permutation, sampleWithoutReplacement, seededUniform, type RandomSource, type Uniform } from './random.ts';
export { idsToLine, reconstructionScores, type ReconstructionScores } from './reconstruction.ts';
export { rouge, rougeN, rougeNPair, type RougeResult, type RougeScore } from './rouge.ts';
export { scatterSvg, type ScatterOptions } from './scatter-svg.ts';
export { meanOfBatchMeans, meanStd, studentTTwoSidedP, welchTTest, type MeanStd, type WelchResult } from './stats.ts';
export { formatMeanStd, markdownTable, summariseRuns } from './summary.ts';
export { evaluateRun, evaluationDraws, meanSpectrum, type EvaluateRunOptions, type MeanSpectrum, type RunMetrics, type RunOutputs } from './run-metrics.ts';
export {
  PAPER_ROBUSTNESS,
  PAPER_SAMPLE_EFFICIENCY_GAP,
  PAPER_TABLE2,
  PAPER_TABLE3,
  PAPER_TABLE4,
  type PaperDataset,
  type PaperTable4Row,
  type PaperValue,
} from './paper-results.ts';
export { gaussianKl, testLossSummary, type TestLossSummary } from './test-loss.ts';
export { DEFAULT_TSNE_OPTIONS, tsne, type TsneOptions, type TsneResult } from './tsne.ts';
