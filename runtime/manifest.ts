import type { ModelConfig } from '../core/config.ts';
import { POSTERIORS } from '../core/config.ts';
import { isModelDtype, MODEL_DTYPES, type ModelDtype } from '../core/dtype.ts';
import { IsovaeError } from '../core/errors.ts';

/** The manifest format this runtime reads (`manifest.json` field `formatVersion`). */
export const MANIFEST_FORMAT = 'isovae-model';
export const MANIFEST_VERSION = 1;

/** One declared graph input or output: dims are numbers (static) or names such as "batch" (dynamic). */
export interface IoSpec {
  name: string;
  dtype: 'int32' | 'float32';
  shape: Array<number | string>;
}

/** One graph file of a model directory. */
export interface GraphSpec {
  file: string;
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
  inputs: IoSpec[];
  outputs: IoSpec[];
}

/** Graph keys a manifest may declare. `encoder_fused` uses the ONNX LSTM op (CPU/CUDA only). */
export type GraphKey = 'encoder' | 'decoder_step' | 'encoder_fused';

/** `manifest.json` of a model directory written by `isovae export` (see notes/contract.md). */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  model: ModelConfig;
  /** Longest training sequence in tokens, including `<eos>` (default decode length). */
  maxLen: number;
  special: { pad: number; bos: number; eos: number; unk: number };
  vocab: { file: string; size: number; sha256: string };
  graphs: { encoder: GraphSpec; decoder_step: GraphSpec; encoder_fused?: GraphSpec };
  training?: unknown;
  command?: string;
  dataset?: unknown;
  metrics?: Record<string, number>;
  exporter?: { name: string; version: string; opset: number; irVersion: number };
  /** Weight precision (core/dtype.ts): `fp32` when the file has no `dtype` (older exports). */
  dtype: ModelDtype;
  /** How the weights were quantized (int8 / fp16 directories; see export/quantize-dir.ts). */
  quantization?: unknown;
  /** Accuracy against the fp32 model, measured when the directory was made (int8 / fp16). */
  accuracy?: unknown;
}

const REEXPORT = 're-export the model with this version of isovae (isovae export <checkpoint> <out-dir>)';

/**
 * Parse and validate `manifest.json` text. `file` names the source for errors. Throws
 * `IsovaeError('E_MANIFEST')` naming the missing or bad field, or an unknown format version.
 */
export function parseManifest(text: string, file: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new IsovaeError('E_MANIFEST', `${file}: not valid JSON (${(e as Error).message}); ${REEXPORT}.`, { cause: e });
  }
  const bad = (field: string, why: string): never => {
    throw new IsovaeError('E_MANIFEST', `${file}: field "${field}" ${why}; ${REEXPORT}.`);
  };
  const obj = (v: unknown, field: string): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad(field, v === undefined ? 'is missing' : 'must be an object');
    return v as Record<string, unknown>;
  };
  const int = (v: unknown, field: string, min: number): number => {
    if (v === undefined) return bad(field, 'is missing');
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) return bad(field, `must be an integer >= ${min} (got ${JSON.stringify(v)})`);
    return v;
  };
  const str = (v: unknown, field: string): string => {
    if (v === undefined) return bad(field, 'is missing');
    if (typeof v !== 'string' || v === '') return bad(field, 'must be a non-empty string');
    return v;
  };
  const m = obj(raw, '(root)');
  if (m.format !== MANIFEST_FORMAT) bad('format', `must be "${MANIFEST_FORMAT}" (got ${JSON.stringify(m.format)}); is this an isovae model directory?`);
  const version = int(m.formatVersion, 'formatVersion', 1);
  if (version !== MANIFEST_VERSION) {
    throw new IsovaeError(
      'E_MANIFEST',
      `${file}: formatVersion ${version} is not supported by this runtime (it reads version ${MANIFEST_VERSION}); ${REEXPORT}, or upgrade isovae if the model is newer.`,
    );
  }
  const mc = obj(m.model, 'model');
  if (!POSTERIORS.includes(mc.posterior as never)) bad('model.posterior', `must be one of ${POSTERIORS.join(', ')}`);
  const model: ModelConfig = {
    posterior: mc.posterior as ModelConfig['posterior'],
    vocabSize: int(mc.vocabSize, 'model.vocabSize', 4),
    embeddingDim: int(mc.embeddingDim, 'model.embeddingDim', 1),
    hiddenDim: int(mc.hiddenDim, 'model.hiddenDim', 1),
    latentDim: int(mc.latentDim, 'model.latentDim', 1),
  };
  const sp = obj(m.special, 'special');
  const special = {
    pad: int(sp.pad, 'special.pad', 0),
    bos: int(sp.bos, 'special.bos', 0),
    eos: int(sp.eos, 'special.eos', 0),
    unk: int(sp.unk, 'special.unk', 0),
  };
  if (special.pad !== 0 || special.bos !== 1 || special.eos !== 2) bad('special', 'must have pad 0, bos 1, eos 2');
  if (special.unk >= model.vocabSize) bad('special.unk', `must be < model.vocabSize ${model.vocabSize}`);
  const vo = obj(m.vocab, 'vocab');
  const vocab = { file: str(vo.file, 'vocab.file'), size: int(vo.size, 'vocab.size', 4), sha256: sha(vo.sha256, 'vocab.sha256', bad) };
  const gr = obj(m.graphs, 'graphs');
  const graph = (key: GraphKey): GraphSpec => {
    const g = obj(gr[key], `graphs.${key}`);
    const io = (list: unknown, field: string): IoSpec[] => {
      if (!Array.isArray(list) || list.length === 0) return bad(field, list === undefined ? 'is missing' : 'must be a non-empty array');
      return list.map((e, i) => {
        const o = obj(e, `${field}[${i}]`);
        const dtype = o.dtype;
        if (dtype !== 'int32' && dtype !== 'float32') bad(`${field}[${i}].dtype`, 'must be "int32" or "float32"');
        if (!Array.isArray(o.shape) || !o.shape.every((d) => (typeof d === 'number' && d >= 1) || (typeof d === 'string' && d !== ''))) {
          bad(`${field}[${i}].shape`, 'must be an array of positive integers or dimension names');
        }
        return { name: str(o.name, `${field}[${i}].name`), dtype: dtype as IoSpec['dtype'], shape: [...(o.shape as Array<number | string>)] };
      });
    };
    return {
      file: str(g.file, `graphs.${key}.file`),
      sha256: sha(g.sha256, `graphs.${key}.sha256`, bad),
      inputs: io(g.inputs, `graphs.${key}.inputs`),
      outputs: io(g.outputs, `graphs.${key}.outputs`),
    };
  };
  if (m.dtype !== undefined && !isModelDtype(m.dtype)) {
    throw new IsovaeError('E_MANIFEST', `${file}: field "dtype" is ${JSON.stringify(m.dtype)}, a weight precision this runtime does not know (it reads ${MODEL_DTYPES.join(', ')}); use a model directory of a known dtype, or upgrade isovae if the model is newer.`);
  }
  const graphs: Manifest['graphs'] = { encoder: graph('encoder'), decoder_step: graph('decoder_step') };
  if (gr.encoder_fused !== undefined) graphs.encoder_fused = graph('encoder_fused');
  const out: Manifest = {
    format: MANIFEST_FORMAT,
    formatVersion: version,
    model,
    maxLen: int(m.maxLen, 'maxLen', 1),
    special,
    vocab,
    graphs,
    dtype: (m.dtype as ModelDtype | undefined) ?? 'fp32',
  };
  if (m.quantization !== undefined) out.quantization = m.quantization;
  if (m.accuracy !== undefined) out.accuracy = m.accuracy;
  if (m.training !== undefined) out.training = m.training;
  if (typeof m.command === 'string') out.command = m.command;
  if (m.dataset !== undefined) out.dataset = m.dataset;
  if (typeof m.metrics === 'object' && m.metrics !== null) out.metrics = m.metrics as Record<string, number>;
  if (typeof m.exporter === 'object' && m.exporter !== null) out.exporter = m.exporter as NonNullable<Manifest['exporter']>;
  return out;
}

function sha(v: unknown, field: string, bad: (f: string, why: string) => never): string {
  if (v === undefined) return bad(field, 'is missing');
  if (typeof v !== 'string' || !/^[0-9a-f]{64}$/i.test(v)) return bad(field, 'must be 64 hex digits (sha256)');
  return v.toLowerCase();
}
