/**
 * The trainer's public API (package entry "isovae"): train the paper's LSTM VAE (IGP, DGP) or AE with tfjs,
 * load data and checkpoints. Inference without tfjs lives in "isovae/runtime".
 */
export { DEFAULT_TRAIN_CONFIG, resolveTrainConfig, modelConfigOf, type ModelConfig, type Posterior, type TrainConfig, type DataSource } from '../core/config.ts';
export { IsovaeError, type IsovaeErrorCode } from '../core/errors.ts';
export { initBackend, type BackendChoice } from './backend.ts';
export { loadCheckpoint, saveCheckpoint, type Checkpoint, type TrainState, type EpochRecord } from './checkpoint.ts';
export { formatDataReport, loadDataset, type Dataset, type Split, type LoadOptions } from './data/index.ts';
export { encodeRows, type Encoded } from './encode.ts';
export { initWeights } from './init.ts';
export { TfModel } from './model.ts';
export { evaluateSplit, type SplitMetrics } from './metrics.ts';
export { trainModel, type TrainOptions, type TrainResult } from './trainer.ts';
