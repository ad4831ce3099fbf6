/**
 * The exporter: checkpoint -> ONNX model directory (manifest.json, vocab.txt, encoder.onnx,
 * decoder_step.onnx, encoder_fused.onnx) with export-time parity validation against the tfjs
 * model on onnxruntime-node. Node only.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
import type { ModelDtype } from '../core/dtype.ts';
import { manifestDtype } from '../core/model-dir.ts';
import { measureAccuracy, type AccuracyOptions, type AccuracyReport } from './accuracy.ts';
import { contractSentences } from './contract-sentences.ts';
import { quantizeModelDir, type QuantizeDirOptions } from './quantize-dir.ts';

export { assertParity, exportFromSource, readManifest, type ExportOptions } from './export-model.ts';
export { buildModelFiles, type GraphOptions } from './model-files.ts';
export { GRAPH_FILES } from '../core/model-dir.ts';
export { failingOutputs, formatParityTable, otherRunHint, type ParityReference, type ParityTable, type ProviderParity, type OutputParity, type GreedyParity } from './parity-types.ts';
export { kerasToOnnxLstm } from './lstm-weights.ts';
export { checkParity, type ParityOptions } from './validate.ts';
export type { GraphSpec, ModelManifest } from '../core/model-dir.ts';
export type { ManifestQuantization } from '../core/model-dir.ts';
export { DEFAULT_THRESHOLDS, formatAccuracy, measureAccuracy, type AccuracyOptions, type AccuracyReport, type AccuracyThresholds } from './accuracy.ts';
export { contractSentences, DEFAULT_CONTRACT_SENTENCES, type ContractSentences } from './contract-sentences.ts';
export { quantizeModelDir, writeVariants, type QuantizeDirOptions } from './quantize-dir.ts';
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
  if (manifestDtype(manifest) !== 'fp32') {
    throw new IsovaeError('E_MANIFEST', `${manifestFile}: a ${manifest.dtype} model is checked by its accuracy contract against the fp32 model, not by fp32 parity: use verifyQuantized (isovae verify <checkpoint|fp32-dir> ${modelDir}).`);
  }
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

/** Options of {@link exportModelAs}: the export options, the dtype and the quantization / accuracy options. */
export type ExportDtypeOptions = ExportOptions & {
  validate?: boolean;
  backend?: BackendChoice;
  dtype: ModelDtype;
  /** Sentences file for the accuracy contract (default: the checkpoint's test split). */
  sentencesFile?: string;
  /** At most this many contract sentences (default 1000). */
  maxSentences?: number;
  quantize?: Omit<QuantizeDirOptions, 'dtype' | 'sentences'>;
};

/**
 * `isovae export --dtype`: export the checkpoint as float32 (validated against tfjs unless `validate` is
 * false), then, for int8 / fp16, convert it (export/quantize-dir.ts) into `outDir` and measure the accuracy
 * contract against the float32 export on the checkpoint's test split (or `sentencesFile`). The float32
 * directory is a temporary one then. Throws E_EXPORT_PARITY / E_QUANT_ACCURACY on a failed check.
 */
export async function exportModelAs(checkpointDir: string, outDir: string, opts: ExportDtypeOptions): Promise<{ manifest: ModelManifest; parity: ParityTable | null; accuracy: AccuracyReport | null }> {
  if (opts.dtype === 'fp32') return { ...(await exportModel(checkpointDir, outDir, opts)), accuracy: null };
  const tmp = await mkdtemp(join(tmpdir(), 'isovae-export-fp32-'));
  try {
    const { parity } = await exportModel(checkpointDir, tmp, opts);
    const ckpt = await loadCheckpoint(checkpointDir);
    const sentences = await contractSentences({ file: opts.sentencesFile, training: ckpt.train, vocabText: ckpt.vocab.toText(), ...(opts.maxSentences ? { max: opts.maxSentences } : {}) });
    const { manifest, accuracy } = await quantizeModelDir(tmp, outDir, { ...opts.quantize, dtype: opts.dtype, sentences });
    return { manifest, parity, accuracy };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * `isovae verify` for an int8 / fp16 model directory: the accuracy contract against its float32 model.
 * `reference` is the float32 model directory, or a checkpoint (exported to a temporary float32 directory,
 * validated against tfjs first). Sentences: `sentencesFile`, else the test split of the training data.
 * Throws IsovaeError('E_MANIFEST') if `modelDir` is not a quantized directory of the same model (config and
 * vocabulary). Returns the report (never throws on a failed threshold; check `report.ok`).
 */
export async function verifyQuantized(reference: string, modelDir: string, opts: {
  sentencesFile?: string | undefined; maxSentences?: number | undefined; thresholds?: AccuracyOptions['thresholds']; backend?: BackendChoice;
} = {}): Promise<{ dtype: ModelDtype; accuracy: AccuracyReport; parity: ParityTable | null }> {
  const manifest = await readManifest(modelDir);
  const dtype = manifestDtype(manifest);
  if (dtype === 'fp32') throw new IsovaeError('E_MANIFEST', `${join(modelDir, 'manifest.json')}: a float32 model; verify it against its checkpoint (isovae verify <checkpoint> <model-dir>).`);
  const isDir = await readFile(join(reference, 'manifest.json')).then(() => true, () => false);
  const tmp = isDir ? null : await mkdtemp(join(tmpdir(), 'isovae-verify-fp32-'));
  try {
    let parity: ParityTable | null = null;
    if (tmp) parity = (await exportModel(reference, tmp, { ...(opts.backend ? { backend: opts.backend } : {}) })).parity;
    const refDir = tmp ?? reference;
    const ref = await readManifest(refDir);
    if (manifestDtype(ref) !== 'fp32') throw new IsovaeError('E_MANIFEST', `${join(refDir, 'manifest.json')}: the reference must be the float32 model (it is ${ref.dtype}).`);
    const vocabText = await readFile(join(refDir, ref.vocab.file), 'utf8');
    if (JSON.stringify(ref.model) !== JSON.stringify(manifest.model) || ref.vocab.sha256 !== manifest.vocab.sha256) {
      throw new IsovaeError('E_MANIFEST', `${join(modelDir, 'manifest.json')}: model ${JSON.stringify(manifest.model)} / vocabulary ${manifest.vocab.sha256.slice(0, 12)} differ from the reference ${reference}; it was made from another model.`);
    }
    const sentences = await contractSentences({ file: opts.sentencesFile, training: ref.training, vocabText, ...(opts.maxSentences ? { max: opts.maxSentences } : {}) });
    const accuracy = await measureAccuracy(refDir, modelDir, sentences.inputs, sentences.source, opts.thresholds ? { thresholds: opts.thresholds } : {});
    return { dtype, accuracy, parity };
  } finally {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  }
}
