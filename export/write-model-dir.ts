import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelConfig, TrainConfig } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import type { Weights } from '../core/weights.ts';
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
 * Build every graph of `src` and write the model directory `outDir` (created if needed):
 * manifest.json, vocab.txt and the .onnx files. Files of graphs not exported this time
 * (encoder_fused with `fusedEncoder: false`) are removed so the directory matches its manifest.
 * Deterministic bytes for the same input. Throws IsovaeError E_VOCAB / E_CHECKPOINT on a mismatch.
 */
export async function writeModelDir(src: ExportSource, outDir: string, opts: GraphOptions = {}): Promise<ModelManifest> {
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
  await mkdir(outDir, { recursive: true });
  for (const [name, bytes] of files) await writeFile(join(outDir, GRAPH_FILES[name]), bytes);
  if (!files.has('encoder_fused')) await rm(join(outDir, GRAPH_FILES.encoder_fused), { force: true });
  await writeFile(join(outDir, manifest.vocab.file), vocabText);
  await writeFile(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
