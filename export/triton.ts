import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IsovaeError } from '../core/errors.ts';
import { readManifest } from './export-model.ts';
import type { IoSpec } from './io.ts';
import { formatTextProto, type TextMessage } from './pbtxt.ts';
import { readGraphs } from './validate.ts';
import { MODEL_CONFIG } from './triton-schema.ts';

/** Options of `writeTritonRepo`. */
export interface TritonOptions {
  /** Model name prefix: `<name>_encoder`, `<name>_generate`. Default: `isovae`. */
  name?: string;
  /** Triton `max_batch_size` of both models. Default 128. */
  maxBatchSize?: number;
  /** `dynamic_batching.max_queue_delay_microseconds`. Default 2000 (2 ms). */
  maxQueueDelayMicroseconds?: number;
  /** Instance kind: 'auto' (GPU when present), 'cpu' or 'gpu'. Default 'auto'. */
  kind?: 'auto' | 'cpu' | 'gpu';
  /** Instances per device (`instance_group.count`). Default 1. */
  instances?: number;
}

/** What was written. */
export interface TritonRepo {
  /** Model name -> its config.pbtxt text. */
  configs: Record<string, string>;
  /** Files written, relative to the repository root. */
  files: string[];
}

const TRITON_TYPE: Record<IoSpec['dtype'], string> = { float32: 'TYPE_FP32', int32: 'TYPE_INT32', bool: 'TYPE_BOOL' };
const KIND = { auto: 'KIND_AUTO', cpu: 'KIND_CPU', gpu: 'KIND_GPU' } as const;

/**
 * A Triton tensor entry from a manifest IO spec with the batch dimension first: with
 * `max_batch_size > 0` Triton leaves the batch out of `dims`; named dims become -1 (variable); a
 * batch-only tensor `[batch]` is declared `dims: [1]` with an empty `reshape` (Triton's convention).
 */
function tensor(spec: IoSpec): TextMessage {
  if (spec.shape[0] !== 'batch') throw new RangeError(`triton: ${spec.name} has no leading batch dimension ([${spec.shape}]).`);
  const rest = spec.shape.slice(1).map((d) => (typeof d === 'number' ? d : -1));
  const t: TextMessage = { name: spec.name, data_type: TRITON_TYPE[spec.dtype], dims: rest.length === 0 ? [1] : rest };
  if (rest.length === 0) t.reshape = { shape: [] };
  return t;
}

/** One model's config.pbtxt message. */
function modelConfig(name: string, inputs: IoSpec[], outputs: IoSpec[], o: Required<TritonOptions>): TextMessage {
  const preferred = [16, 32, 64, 128, 256].filter((b) => b <= o.maxBatchSize);
  return {
    name,
    backend: 'onnxruntime',
    max_batch_size: o.maxBatchSize,
    input: inputs.map(tensor),
    output: outputs.map(tensor),
    dynamic_batching: { ...(preferred.length > 0 ? { preferred_batch_size: preferred } : {}), max_queue_delay_microseconds: o.maxQueueDelayMicroseconds },
    instance_group: [{ count: o.instances, kind: KIND[o.kind] }],
  };
}

/**
 * Write a Triton model repository from an exported model directory that has decoder_greedy.onnx
 * (`isovae export --greedy-graph`, or `--triton`, which implies it):
 *
 *   <repo>/<name>_encoder/config.pbtxt, 1/model.onnx (encoder.onnx: text ids -> mean, logvar)
 *   <repo>/<name>_generate/config.pbtxt, 1/model.onnx (decoder_greedy.onnx: z -> tokens, lengths, finished)
 *   each model folder also holds vocab.txt and isovae-manifest.json (client-side tokenization).
 *
 * Configs use the onnxruntime backend, `max_batch_size`, a `dynamic_batching` block and one
 * instance group; each is checked against Triton's model_config.proto schema (export/triton-schema.ts)
 * before it is written. The portable encoder.onnx (Scan) is used, not encoder_fused.onnx.
 */
export async function writeTritonRepo(modelDir: string, repoDir: string, opts: TritonOptions = {}): Promise<TritonRepo> {
  const o: Required<TritonOptions> = { name: 'isovae', maxBatchSize: 128, maxQueueDelayMicroseconds: 2000, kind: 'auto', instances: 1, ...opts };
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(o.name)) throw new RangeError(`triton: name "${o.name}" must be letters, digits, _ - . (at most 64); choose one with --triton-name.`);
  for (const [k, v, min] of [['maxBatchSize', o.maxBatchSize, 1], ['maxQueueDelayMicroseconds', o.maxQueueDelayMicroseconds, 0], ['instances', o.instances, 1]] as const) {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`triton: ${k} must be an integer >= ${min} (got ${v}).`);
  }
  if (!(o.kind in KIND)) throw new RangeError(`triton: kind must be auto, cpu or gpu (got ${String(o.kind)}).`);
  const manifest = await readManifest(modelDir);
  const loop = manifest.graphs.decoder_greedy;
  if (!loop) {
    throw new IsovaeError('E_MANIFEST', `${join(modelDir, 'manifest.json')}: the model has no decoder_greedy graph, which the Triton generate model needs; re-export with isovae export --greedy-graph (or --triton).`);
  }
  const models = [
    { name: `${o.name}_encoder`, key: 'encoder', graph: manifest.graphs.encoder },
    { name: `${o.name}_generate`, key: 'decoder_greedy', graph: loop },
  ] as const;
  const out: TritonRepo = { configs: {}, files: [] };
  const manifestText = await readFile(join(modelDir, 'manifest.json'));
  const vocabText = await readFile(join(modelDir, manifest.vocab.file));
  const graphs = await readGraphs(modelDir, manifest); // checks every file's sha256 against the manifest
  for (const m of models) {
    const dir = join(repoDir, m.name);
    await mkdir(join(dir, '1'), { recursive: true });
    const text = `# Triton model configuration written by isovae export --triton (inference.ModelConfig, text format).\n${formatTextProto(MODEL_CONFIG, modelConfig(m.name, m.graph.inputs, m.graph.outputs, o))}`;
    await writeFile(join(dir, 'config.pbtxt'), text);
    await writeFile(join(dir, '1', 'model.onnx'), graphs.get(m.key)!);
    await writeFile(join(dir, 'vocab.txt'), vocabText);
    await writeFile(join(dir, 'isovae-manifest.json'), manifestText);
    out.configs[m.name] = text;
    out.files.push(`${m.name}/config.pbtxt`, `${m.name}/1/model.onnx`, `${m.name}/vocab.txt`, `${m.name}/isovae-manifest.json`);
  }
  return out;
}
