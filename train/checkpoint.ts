import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelConfig, TrainConfig } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import { Vocab } from '../core/vocab.ts';
import { guardCheckpointWrite, verifyChecksums, writeChecksums } from './checkpoint-integrity.ts';
import { checkWeights, packTensors, unpackTensors, weightShapes, type HostTensor, type PackedEntry, type Weights } from '../core/weights.ts';

/** Checkpoint format version; bump on incompatible changes. */
export const CHECKPOINT_VERSION = 1;

/** Training progress saved with every checkpoint (enough to resume bit-for-bit). */
export interface TrainState {
  /** Epoch in progress (0-based); equals `epochs` when training finished. */
  epoch: number;
  /** Next batch index within `epoch`. */
  batchInEpoch: number;
  /** Optimiser steps taken (Adam's t; drives the C warm-up). */
  step: number;
  /** State of the shuffle RNG at the start of `epoch` (the epoch's permutation is re-drawn from it). */
  shuffleRngAtEpochStart: number[];
  /** State of the ε (reparameterisation noise) RNG after the last step. */
  noiseRng: number[];
  /** Running sums of the epoch in progress (so a resumed epoch reports the same means). */
  epochSums: { loss: number; kl: number; rec: number; n: number; tokens: number };
  /** Per-epoch history: train means and validation means. */
  history: EpochRecord[];
  /** Set once training ran to the end. */
  finished: boolean;
  /**
   * Early stopping (config `patience` > 0): the best epoch after the C warm-up by validation loss. Its weights are
   * kept in `<run>/best-checkpoint/` while training runs and become the final checkpoint's weights.
   */
  best?: { epoch: number; step: number; validLoss: number };
  /** The epoch (1-based) after which early stopping ended training; absent when it ran every epoch. */
  stoppedAfterEpoch?: number;
}

/** One line of the training history (nats per sentence). */
export interface EpochRecord {
  epoch: number;
  step: number;
  train: { loss: number; kl: number; rec: number };
  valid: { loss: number; kl: number; rec: number };
  tokensPerSecond: number;
}

/** Everything in a checkpoint directory. */
export interface Checkpoint {
  dir: string;
  train: TrainConfig;
  model: ModelConfig;
  /** Longest sequence (words + EOS) the data allows: maxLen + 1. Decode default. */
  maxLen: number;
  vocab: Vocab;
  weights: Weights;
  /** Adam moments `m/<name>`, `v/<name>` (absent when loading weights only). */
  optimizer: Map<string, HostTensor> | null;
  state: TrainState;
  dataset: { name: string; classes: string[]; sizes: { train: number; valid: number; test: number } };
  command: string;
  /** Final test metrics, once evaluated. */
  metrics?: Record<string, number>;
  backend: string;
}

interface ConfigFile {
  version: number;
  train: TrainConfig;
  model: ModelConfig;
  maxLen: number;
  dataset: Checkpoint['dataset'];
  command: string;
  metrics?: Record<string, number>;
  backend: string;
}

/** The checkpoint folder inside a run directory. */
export function checkpointDir(runDir: string): string {
  return join(runDir, 'checkpoint');
}

/**
 * Write a checkpoint atomically: everything goes to `<dir>.tmp`, then the old checkpoint is moved to
 * `<dir>.old`, the new one renamed into place and the old one removed. A crash at any point leaves either
 * the old or the new checkpoint complete (`loadCheckpoint` falls back to `<dir>.old`; `train --resume` also
 * completes an interrupted save from a complete `<dir>.tmp`, see run-dir.ts). `checksums.json` (sha256 of every
 * file, written last) is verified on load.
 */
export function saveCheckpoint(dir: string, ck: Omit<Checkpoint, 'dir'>): void {
  guardCheckpointWrite(dir, () => writeCheckpoint(dir, ck));
}

function writeCheckpoint(dir: string, ck: Omit<Checkpoint, 'dir'>): void {
  const tmp = `${dir}.tmp`;
  const old = `${dir}.old`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const cfg: ConfigFile = {
    version: CHECKPOINT_VERSION, train: ck.train, model: ck.model, maxLen: ck.maxLen, dataset: ck.dataset,
    command: ck.command, backend: ck.backend, ...(ck.metrics ? { metrics: ck.metrics } : {}),
  };
  writeFileSync(join(tmp, 'config.json'), JSON.stringify(cfg, null, 2) + '\n');
  writeFileSync(join(tmp, 'vocab.txt'), ck.vocab.toText());
  const w = packTensors(weightShapes(ck.model).map(([name]) => [name, ck.weights[name]!] as [string, HostTensor]));
  writeFileSync(join(tmp, 'weights.bin'), w.bytes);
  writeFileSync(join(tmp, 'weights.json'), JSON.stringify(w.index) + '\n');
  if (ck.optimizer) {
    const o = packTensors([...ck.optimizer.entries()]);
    writeFileSync(join(tmp, 'optimizer.bin'), o.bytes);
    writeFileSync(join(tmp, 'optimizer.json'), JSON.stringify(o.index) + '\n');
  }
  writeFileSync(join(tmp, 'state.json'), JSON.stringify(ck.state) + '\n');
  writeChecksums(tmp); // last: marks the checkpoint complete (checkpoint-integrity.ts)
  rmSync(old, { recursive: true, force: true });
  if (existsSync(dir)) renameSync(dir, old);
  renameSync(tmp, dir);
  rmSync(old, { recursive: true, force: true });
}

function readJson<T>(file: string): T {
  if (!existsSync(file)) {
    throw new IsovaeError('E_CHECKPOINT', `${file} is missing: the checkpoint is incomplete. Point at a run's "checkpoint" folder, or re-train.`);
  }
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new IsovaeError('E_CHECKPOINT', `${file} is not valid JSON (${(err as Error).message}); the checkpoint is damaged, re-train or restore it.`, { cause: err });
  }
}

/**
 * Load a checkpoint directory (a run's `checkpoint/` folder; a run directory is accepted too).
 * Throws `IsovaeError('E_CHECKPOINT')` naming the file when anything is missing, inconsistent, or fails its sha256
 * (checkpoints without checksums.json, written by older versions, load unverified).
 */
export function loadCheckpoint(path: string, opts: { optimizer?: boolean } = {}): Checkpoint {
  let dir = path;
  if (!existsSync(join(dir, 'config.json')) && existsSync(join(dir, 'checkpoint', 'config.json'))) dir = join(dir, 'checkpoint');
  if (!existsSync(join(dir, 'config.json')) && existsSync(join(`${dir}.old`, 'config.json'))) dir = `${dir}.old`;
  if (!existsSync(dir)) throw new IsovaeError('E_CHECKPOINT', `checkpoint "${path}" does not exist; train a model first (isovae train --out <dir>).`);
  if (!statSync(dir).isDirectory()) throw new IsovaeError('E_CHECKPOINT', `checkpoint "${path}" is a file; give a run directory or its "checkpoint" folder.`);
  verifyChecksums(dir, ['config.json', 'vocab.txt', 'weights.json', 'weights.bin', 'state.json', ...(opts.optimizer ? ['optimizer.json', 'optimizer.bin'] : [])]);
  const cfg = readJson<ConfigFile>(join(dir, 'config.json'));
  if (cfg.version !== CHECKPOINT_VERSION) {
    throw new IsovaeError('E_CHECKPOINT', `${join(dir, 'config.json')}: checkpoint version ${cfg.version} is not supported (expected ${CHECKPOINT_VERSION}); re-train with this version of isovae.`);
  }
  const vocabFile = join(dir, 'vocab.txt');
  if (!existsSync(vocabFile)) throw new IsovaeError('E_CHECKPOINT', `${vocabFile} is missing; the checkpoint is incomplete.`);
  const vocab = Vocab.fromText(readFileSync(vocabFile, 'utf8'), vocabFile);
  if (vocab.size !== cfg.model.vocabSize) {
    throw new IsovaeError('E_VOCAB', `${vocabFile} has ${vocab.size} tokens but the model was trained with V=${cfg.model.vocabSize}; the checkpoint is inconsistent.`);
  }
  const index = readJson<PackedEntry[]>(join(dir, 'weights.json'));
  const binFile = join(dir, 'weights.bin');
  if (!existsSync(binFile)) throw new IsovaeError('E_CHECKPOINT', `${binFile} is missing; the checkpoint is incomplete.`);
  const tensors = unpackTensors(index, new Uint8Array(readFileSync(binFile)), binFile);
  const weights: Weights = Object.fromEntries(tensors) as Weights;
  checkWeights(cfg.model, weights, binFile);
  let optimizer: Map<string, HostTensor> | null = null;
  if (opts.optimizer && existsSync(join(dir, 'optimizer.json'))) {
    const oFile = join(dir, 'optimizer.bin');
    if (!existsSync(oFile)) throw new IsovaeError('E_CHECKPOINT', `${oFile} is missing while optimizer.json exists; the checkpoint is incomplete (the Adam state cannot be restored). Restore it, or train from scratch with --overwrite.`);
    optimizer = unpackTensors(readJson<PackedEntry[]>(join(dir, 'optimizer.json')), new Uint8Array(readFileSync(oFile)), oFile);
  }
  const state = readJson<TrainState>(join(dir, 'state.json'));
  return {
    dir, train: cfg.train, model: cfg.model, maxLen: cfg.maxLen, vocab, weights, optimizer, state,
    dataset: cfg.dataset, command: cfg.command, backend: cfg.backend, ...(cfg.metrics ? { metrics: cfg.metrics } : {}),
  };
}
