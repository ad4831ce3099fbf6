import { createHash } from 'node:crypto';
import type { ModelConfig, TrainConfig } from '../core/config.ts';
import { BOS_ID, EOS_ID, PAD_ID } from '../core/special.ts';
import { GRAPH_FILES, MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, VOCAB_FILE, graphIo, type GraphName, type GraphSpec, type ModelManifest } from '../core/model-dir.ts';
import { IR_VERSION, OPSET_VERSION } from '../onnx/onnx-proto.ts';
import { EXPORTER_VERSION } from './model-files.ts';

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
 * Build the manifest (core/model-dir.ts) for serialised graphs (`files`: graph name -> bytes) and the vocabulary
 * text. Key order is fixed, so JSON.stringify of the result is deterministic.
 */
export function buildManifest(info: ManifestInfo, files: ReadonlyMap<GraphName, Uint8Array>): ModelManifest {
  const entry = (name: GraphName): GraphSpec => {
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
    vocab: { file: VOCAB_FILE, size: info.model.vocabSize, sha256: sha256Hex(info.vocabText) },
    graphs,
    training: info.training ?? null,
    command: info.command ?? '',
    dataset: info.dataset ?? null,
    metrics: info.metrics ?? {},
    exporter: { name: 'isovae', version: EXPORTER_VERSION, opset: OPSET_VERSION, irVersion: IR_VERSION },
  };
}
