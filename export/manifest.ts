import { createHash } from 'node:crypto';
import type { ModelConfig, TrainConfig } from '../core/config.ts';
import type { ModelDtype } from '../core/dtype.ts';
import { BOS_ID, EOS_ID, PAD_ID } from '../core/special.ts';
import { graphIo, type GraphName, type IoSpec } from './io.ts';
import { IR_VERSION, OPSET_VERSION } from '../onnx/onnx-proto.ts';
import { EXPORTER_VERSION, GRAPH_FILES } from './model-files.ts';

/** Manifest format written by this exporter (the runtime rejects other versions). */
export const MANIFEST_FORMAT = 'isovae-model';
export const MANIFEST_FORMAT_VERSION = 1;

/** One graph entry of the manifest. */
export interface ManifestGraph {
  file: string;
  sha256: string;
  inputs: IoSpec[];
  outputs: IoSpec[];
}

/** `manifest.json` of a model directory (contract: "Model directory written by the exporter"). */
export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: typeof MANIFEST_FORMAT_VERSION;
  model: ModelConfig;
  /** Longest training sequence incl. EOS: the default greedy decode length. */
  maxLen: number;
  special: { pad: number; bos: number; eos: number; unk: number };
  vocab: { file: string; size: number; sha256: string };
  graphs: { encoder: ManifestGraph; decoder_step: ManifestGraph; encoder_fused?: ManifestGraph };
  training: TrainConfig | null;
  command: string;
  dataset: unknown;
  metrics: Record<string, number>;
  exporter: { name: 'isovae'; version: string; opset: number; irVersion: number };
  /** Weight precision (core/dtype.ts); absent in float32 exports (absent = fp32). */
  dtype?: ModelDtype;
  /** How the weights were quantized (int8 / fp16 directories only). */
  quantization?: ManifestQuantization;
  /** The accuracy contract measured when the directory was made (int8 / fp16 only; export/accuracy.ts). */
  accuracy?: unknown;
}

/** `quantization` of a quantized manifest (written by export/quantize-dir.ts). */
export interface ManifestQuantization {
  /** Scheme id: onnx/quantize.ts INT8_SCHEME or FP16_SCHEME. */
  scheme: string;
  /** int8: 7-bit weights (|q| <= 63) instead of 8-bit. */
  reduceRange: boolean;
  /** Weights deliberately left in float32. */
  keepFloat: string[];
  /** Initializers that were converted, per graph, with the op that reads them. */
  weights: Record<string, Array<{ name: string; op: string; dims: number[] }>>;
  /** sha256 of the float32 manifest.json the directory was made from. */
  source: { manifestSha256: string };
}

/** Lower-case hex sha256 of bytes or a UTF-8 string. */
export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What the manifest records besides the graphs (provenance; all optional except the model). */
export interface ManifestInfo {
  model: ModelConfig;
  maxLen: number;
  unkId: number;
  vocabText: string;
  training?: TrainConfig | undefined;
  command?: string | undefined;
  dataset?: unknown;
  metrics?: Record<string, number> | undefined;
}

/**
 * Build the manifest for serialised graphs (`files`: graph name -> bytes) and the vocabulary
 * text. Key order is fixed, so JSON.stringify of the result is deterministic.
 */
export function buildManifest(info: ManifestInfo, files: ReadonlyMap<GraphName, Uint8Array>): ModelManifest {
  const entry = (name: GraphName): ManifestGraph => {
    const bytes = files.get(name);
    if (!bytes) throw new RangeError(`buildManifest: graph "${name}" was not built.`);
    return { file: GRAPH_FILES[name], sha256: sha256Hex(bytes), ...graphIo(name, info.model) };
  };
  const graphs: ModelManifest['graphs'] = { encoder: entry('encoder'), decoder_step: entry('decoder_step') };
  if (files.has('encoder_fused')) graphs.encoder_fused = entry('encoder_fused');
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_FORMAT_VERSION,
    model: { ...info.model },
    maxLen: info.maxLen,
    special: { pad: PAD_ID, bos: BOS_ID, eos: EOS_ID, unk: info.unkId },
    vocab: { file: 'vocab.txt', size: info.model.vocabSize, sha256: sha256Hex(info.vocabText) },
    graphs,
    training: info.training ?? null,
    command: info.command ?? '',
    dataset: info.dataset ?? null,
    metrics: info.metrics ?? {},
    exporter: { name: 'isovae', version: EXPORTER_VERSION, opset: OPSET_VERSION, irVersion: IR_VERSION },
  };
}
