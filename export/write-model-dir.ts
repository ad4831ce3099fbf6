import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelConfig, TrainConfig } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import type { Weights } from '../core/weights.ts';
import { checkModelDirTarget, commitStagingDir, createStagingDir, discardStagingDir } from './atomic-dir.ts';
import { buildManifest } from './manifest.ts';
import { GRAPH_FILES, MANIFEST_FILE, type ModelManifest } from '../core/model-dir.ts';
import { buildModelFiles, type GraphOptions } from './model-files.ts';

/**
 * Everything the exporter needs from a trained model. A `Checkpoint` (train/checkpoint.ts) satisfies
 * it structurally; tests build one from random weights.
 */
export interface ExportSource {
  model: ModelConfig;
  weights: Weights;
  /** Longest training sequence incl. EOS (manifest `maxLen`, the default decode length). */
  maxLen: number;
  vocab: { readonly words: readonly string[]; readonly unkId: number; toText(): string };
  train?: TrainConfig | undefined;
  command?: string | undefined;
  dataset?: unknown;
  metrics?: Record<string, number> | undefined;
}

/**
 * Throw `IsovaeError('E_NOT_FINITE')` if any weight of `src` is NaN or ±Inf (training diverged): checked before
 * anything is built or written, so such a checkpoint never becomes a model directory.
 */
export function assertFiniteWeights(src: ExportSource, where: string): void {
  const bad: string[] = [];
  for (const [name, t] of Object.entries(src.weights)) {
    if (!t) continue;
    let nan = 0;
    let inf = 0;
    let first = -1;
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i]!;
      if (v === v && v !== Infinity && v !== -Infinity) continue;
      if (v !== v) nan++;
      else inf++;
      if (first < 0) first = i;
    }
    if (nan + inf > 0) bad.push(`${name}: ${nan} NaN, ${inf} Inf (first at flat index ${first})`);
  }
  if (bad.length > 0) {
    throw new IsovaeError('E_NOT_FINITE', `${where}: the weights are not finite (${bad.join('; ')}); training diverged. ` +
      'Nothing was written. Resume from an earlier checkpoint with a lower --lr, or re-train.');
  }
}

/**
 * Build every graph of `src` and write the files of a model directory (manifest.json, vocab.txt and the .onnx
 * files) into the empty directory `dir`. Deterministic bytes for the same input. Throws IsovaeError E_VOCAB on
 * a vocabulary mismatch.
 */
export async function writeModelFiles(src: ExportSource, dir: string, opts: GraphOptions = {}): Promise<ModelManifest> {
  if (src.vocab.words.length !== src.model.vocabSize) {
    throw new IsovaeError('E_VOCAB', `export: the vocabulary has ${src.vocab.words.length} words but the model has vocabSize ${src.model.vocabSize}; the checkpoint is inconsistent, re-train it.`);
  }
  if (!Number.isInteger(src.maxLen) || src.maxLen < 1) throw new RangeError(`export: maxLen must be a positive integer, got ${src.maxLen}.`);
  const files = buildModelFiles(src.model, src.weights, opts);
  const vocabText = src.vocab.toText();
  const manifest = buildManifest({
    model: src.model, maxLen: src.maxLen, unkId: src.vocab.unkId, vocabText,
    training: src.train, command: src.command, dataset: src.dataset, metrics: src.metrics,
  }, files);
  for (const [name, bytes] of files) await writeFile(join(dir, GRAPH_FILES[name]), bytes);
  await writeFile(join(dir, manifest.vocab.file), vocabText);
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Write the model directory `outDir` for `src` atomically (export/atomic-dir.ts): the files go to a staging
 * directory that then replaces `outDir` as a whole, so the directory holds exactly the files of its manifest
 * (nothing stale from an earlier export) and a failure leaves `outDir` as it was. `outDir` must be new, empty
 * or a model directory (E_OUTPUT otherwise); NaN/Inf weights are E_NOT_FINITE before anything is written.
 * Throws as `writeModelFiles`.
 */
export async function writeModelDir(src: ExportSource, outDir: string, opts: GraphOptions = {}): Promise<ModelManifest> {
  assertFiniteWeights(src, `export to ${outDir}`);
  return withStagedModelDir(outDir, (stage) => writeModelFiles(src, stage, opts));
}

/**
 * Run `fill(stage)` on a fresh staging directory for `outDir` and swap it in when `fill` resolves; on any error
 * (or exception in `fill`) the staging directory is removed and `outDir` is untouched.
 */
export async function withStagedModelDir<T>(outDir: string, fill: (stage: string) => Promise<T>): Promise<T> {
  checkModelDirTarget(outDir);
  const stage = await createStagingDir(outDir);
  try {
    const result = await fill(stage);
    await commitStagingDir(stage, outDir);
    return result;
  } catch (err) {
    await discardStagingDir(stage);
    throw err;
  }
}
