/**
 * The exporter: checkpoint -> ONNX model directory (manifest.json, vocab.txt, encoder.onnx,
 * decoder_step.onnx, encoder_fused.onnx) with export-time parity validation against the tfjs
 * model on onnxruntime-node. Node only.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { IsovaeError } from '../core/errors.ts';
import { initBackend, type BackendChoice } from '../train/backend.ts';
import { loadCheckpoint } from '../train/checkpoint.ts';
import { TfModel } from '../train/model.ts';
import { exportFromSource, readManifest, type ExportOptions } from './export-model.ts';
import type { ModelManifest } from '../core/model-dir.ts';
import { sha256Hex } from './manifest.ts';
import type { ParityTable } from './parity-types.ts';
import { availableProviders, type ParityProvider } from './providers.ts';
import { tfParityReference } from './tf-reference.ts';
import { checkParity, readGraphs, type ParityOptions } from './validate.ts';

export { assertParity, exportFromSource, readManifest, type ExportOptions } from './export-model.ts';
export { buildModelFiles, type GraphOptions } from './model-files.ts';
export { GRAPH_FILES } from '../core/model-dir.ts';
export { failingOutputs, formatParityTable, otherRunHint, type ParityReference, type ParityTable, type ProviderParity, type OutputParity, type GreedyParity } from './parity-types.ts';
export { kerasToOnnxLstm } from './lstm-weights.ts';
export { checkParity, type ParityOptions } from './validate.ts';
export type { GraphSpec, ModelManifest } from '../core/model-dir.ts';
export type { ExportSource } from './write-model-dir.ts';
export type { ParityProvider } from './providers.ts';

/** Make sure a tfjs backend is ready (keeps one the caller already initialised). */
async function ensureBackend(choice: BackendChoice): Promise<void> {
  if (!tf.engine().backendName) await initBackend(choice);
}

/**
 * Export the checkpoint in `checkpointDir` (train/checkpoint.ts layout) to the model directory
 * `outDir`, then validate it against the tfjs model on onnxruntime-node CPU (shape grid batch
 * {1,3,17} x length {1,7,maxLen}, atol 1e-4, 64 greedy decodes) unless `validate` is false.
 * Throws IsovaeError('E_EXPORT_PARITY') with the max abs diff per output on a mismatch.
 * `backend`: tfjs backend for the reference model (default 'auto').
 */
export async function exportModel(
  checkpointDir: string, outDir: string, opts: ExportOptions & { validate?: boolean; backend?: BackendChoice } = {},
): Promise<{ manifest: ModelManifest; parity: ParityTable | null }> {
  const ckpt = await loadCheckpoint(checkpointDir);
  if (opts.validate === false) return exportFromSource(ckpt, outDir, null, opts);
  await ensureBackend(opts.backend ?? 'auto');
  const model = new TfModel(ckpt.model, ckpt.weights);
  try {
    return await exportFromSource(ckpt, outDir, tfParityReference(model), opts);
  } finally {
    model.dispose();
  }
}

/**
 * Check an exported model directory against its checkpoint on every requested execution provider
 * (default: every available one, `cpu` always, `cuda` when onnxruntime-node's CUDA EP is installed
 * and usable). Returns the parity table (never throws on a mismatch; check `table.ok`). Throws
 * IsovaeError E_MANIFEST / E_MODEL_FILE / E_VOCAB if the directory does not belong to the checkpoint.
 */
export async function verifyModel(
  checkpointDir: string, modelDir: string, opts: { providers?: ParityProvider[]; backend?: BackendChoice; parity?: Omit<ParityOptions, 'providers'> } = {},
): Promise<ParityTable> {
  const ckpt = await loadCheckpoint(checkpointDir);
  const manifest = await readManifest(modelDir);
  const manifestFile = join(modelDir, 'manifest.json');
  if (JSON.stringify(manifest.model) !== JSON.stringify(ckpt.model)) {
    throw new IsovaeError('E_MANIFEST', `${manifestFile}: model ${JSON.stringify(manifest.model)} differs from the checkpoint's ${JSON.stringify(ckpt.model)}; this directory was exported from another checkpoint.`);
  }
  const vocabFile = join(modelDir, manifest.vocab.file);
  const vocabText = await readFile(vocabFile, 'utf8').catch((e: Error) => {
    throw new IsovaeError('E_VOCAB', `${vocabFile}: cannot read the vocabulary (${e.message}); re-export the model.`, { cause: e });
  });
  if (sha256Hex(vocabText) !== manifest.vocab.sha256 || vocabText !== ckpt.vocab.toText()) {
    throw new IsovaeError('E_VOCAB', `${vocabFile}: does not match the manifest's sha256 or the checkpoint's vocabulary; re-export the model.`);
  }
  const graphs = await readGraphs(modelDir, manifest);
  const available = await availableProviders(graphs.get('decoder_step')!);
  const providers = opts.providers ?? available;
  for (const p of providers) {
    if (!available.includes(p)) {
      throw new IsovaeError('E_PROVIDER', `verify: execution provider "${p}" is not available in this onnxruntime-node install ` +
        `(for CUDA reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 on a machine with an NVIDIA GPU); available: ${available.join(', ')}.`);
    }
  }
  await ensureBackend(opts.backend ?? 'auto');
  const model = new TfModel(ckpt.model, ckpt.weights);
  try {
    return await checkParity(modelDir, manifest, tfParityReference(model), { ...opts.parity, providers });
  } finally {
    model.dispose();
  }
}
