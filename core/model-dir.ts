/**
 * The model-directory contract: the one definition of what `isovae export` writes and every loader
 * reads (files, `manifest.json` fields, format version, graph inputs/outputs). The exporter
 * (export/manifest.ts) builds manifests of this type; the runtime (runtime/load.ts) parses them with
 * `parseManifest`. Human-readable description: docs/MODEL-DIR.md. Platform-free (Node and browser).
 */
import { POSTERIORS, type ModelConfig } from './config.ts';
import { INT8_WEIGHT_ONLY_SCHEME, isModelDtype, MODEL_DTYPES, SCHEME_IDS, type Int8Scheme, type ModelDtype } from './dtype.ts';
import { IsovaeError } from './errors.ts';
import { BOS_ID, EOS_ID, PAD_ID } from './special.ts';

/** Value of the manifest's `format` field. */
export const MANIFEST_FORMAT = 'isovae-model';
/**
 * Manifest version written by this exporter and read by this runtime (`formatVersion`). Bump it
 * only for changes old readers would misread; adding an optional field does not need a bump.
 */
export const MANIFEST_FORMAT_VERSION = 1;
/** File name of the manifest inside a model directory. */
export const MANIFEST_FILE = 'manifest.json';
/** File name of the vocabulary the exporter writes (the manifest's `vocab.file`). */
export const VOCAB_FILE = 'vocab.txt';

/**
 * The graphs a model directory can hold: `encoder` (portable LSTM as Scan/Loop, runs everywhere),
 * `encoder_fused` (optional; the ONNX LSTM op, CPU/CUDA only), `decoder_step` (one greedy step) and
 * `decoder_greedy` (optional; the whole greedy decode as one ONNX Loop, z -> tokens, for servers such as Triton).
 */
export type GraphName = 'encoder' | 'encoder_fused' | 'decoder_step' | 'decoder_greedy';
/** Every graph name, required ones first. */
export const GRAPH_NAMES: readonly GraphName[] = ['encoder', 'decoder_step', 'encoder_fused', 'decoder_greedy'];
/** File name the exporter gives each graph (readers take the name from the manifest's `file`). */
export const GRAPH_FILES: Readonly<Record<GraphName, string>> = {
  encoder: 'encoder.onnx',
  encoder_fused: 'encoder_fused.onnx',
  decoder_step: 'decoder_step.onnx',
  decoder_greedy: 'decoder_greedy.onnx',
};

/** Element type of a graph input or output (`bool` only for decoder_greedy's `finished`). */
export type IoDtype = 'int32' | 'float32' | 'bool';
/** One graph input or output: dims are numbers (static) or names such as "batch" (dynamic). */
export interface IoSpec {
  name: string;
  dtype: IoDtype;
  shape: Array<number | string>;
}

/** One graph entry of the manifest. */
export interface GraphSpec {
  /** File name relative to the model directory. */
  file: string;
  /** Lower-case hex sha256 of the file's bytes. */
  sha256: string;
  inputs: IoSpec[];
  outputs: IoSpec[];
}

/** Who wrote the directory (informational). */
export interface ExporterInfo {
  name: string;
  version: string;
  opset: number;
  irVersion: number;
}

/**
 * `manifest.json` of a model directory. Required fields are checked by `parseManifest`; the
 * provenance fields (`training`, `command`, `dataset`, `metrics`, `exporter`) are always written by
 * `isovae export` but optional for readers, which must not depend on them.
 */
export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: number;
  model: ModelConfig;
  /** Longest training sequence in tokens, including `<eos>`: the default greedy decode length. */
  maxLen: number;
  /** Special ids: pad 0, bos 1, eos 2 always; `unk` is the id of the vocabulary word `unk`. */
  special: { pad: number; bos: number; eos: number; unk: number };
  /** The vocabulary file (one word per line for ids 3..V-1), its size V and sha256. */
  vocab: { file: string; size: number; sha256: string };
  graphs: { encoder: GraphSpec; decoder_step: GraphSpec; encoder_fused?: GraphSpec; decoder_greedy?: GraphSpec };
  /** The resolved training config (core/config.ts TrainConfig), or null; not validated by readers. */
  training?: unknown;
  /** The command line that trained the model. */
  command?: string;
  /** What the model was trained on (free-form). */
  dataset?: unknown;
  /** Test-set metrics recorded at export (name -> value). */
  metrics?: Record<string, number>;
  exporter?: ExporterInfo;
  /**
   * Weight precision of the graphs (core/dtype.ts). Absent in float32 exports and older manifests,
   * which are fp32 (read it with {@link manifestDtype}); `parseManifest` rejects an unknown value.
   */
  dtype?: ModelDtype;
  /** How the weights were converted (int8 / fp16 directories, written by `isovae quantize`). */
  quantization?: ManifestQuantization;
  /**
   * The accuracy contract against the fp32 model, measured when the directory was made (int8 / fp16;
   * export/accuracy.ts `AccuracyReport`). Informational: readers must not depend on it.
   */
  accuracy?: unknown;
}

/** `quantization` of an int8 / fp16 manifest. */
export interface ManifestQuantization {
  /** Scheme id (core/dtype.ts INT8_SCHEME, INT8_WEIGHT_ONLY_SCHEME or FP16_SCHEME). */
  scheme: string;
  /** int8: 7-bit weights (|q| <= 63) instead of 8-bit. */
  reduceRange: boolean;
  /** Weight-only int8: values per scale along each weight's reduction axis (default 16). */
  blockSize?: number;
  /** Weights deliberately left in float32. */
  keepFloat: string[];
  /** The converted initializers per graph, with the op that reads them. */
  weights: Record<string, Array<{ name: string; op: string; dims: number[] }>>;
  /** sha256 of the float32 manifest.json the directory was made from. */
  source: { manifestSha256: string };
}

/**
 * The int8 scheme of a manifest: `weight-only` for scheme INT8_WEIGHT_ONLY_SCHEME (int8 weights stored, float32
 * arithmetic after onnxruntime folds the constant dequantization at load), `dynamic` for any other int8 manifest
 * (INT8_SCHEME, or an older one without `quantization`), null when the model is not int8.
 */
export function manifestInt8Scheme(m: Pick<ModelManifest, 'dtype' | 'quantization'>): Int8Scheme | null {
  if (manifestDtype(m) !== 'int8') return null;
  return m.quantization?.scheme === INT8_WEIGHT_ONLY_SCHEME ? 'weight-only' : 'dynamic';
}

/** The weight precision of a manifest: its `dtype`, `fp32` when absent. */
export function manifestDtype(m: Pick<ModelManifest, 'dtype'>): ModelDtype {
  return m.dtype ?? 'fp32';
}

// ---------------------------------------------------------------------------------------------
// Graph inputs and outputs (K = latentDim, H = hiddenDim, V = vocabSize of the model config)
// ---------------------------------------------------------------------------------------------

/** Inputs of the encoder graphs: post-padded int32 token ids [batch, seq] with one `<eos>` per row. */
export function encoderInputs(): IoSpec[] {
  return [{ name: 'tokens', dtype: 'int32', shape: ['batch', 'seq'] }];
}

/** Outputs of the encoder graphs: mean [batch, K], and logvar [batch, K] unless the model is an AE. */
export function encoderOutputs(cfg: ModelConfig): IoSpec[] {
  const K = cfg.latentDim;
  const out: IoSpec[] = [{ name: 'mean', dtype: 'float32', shape: ['batch', K] }];
  if (cfg.posterior !== 'ae') out.push({ name: 'logvar', dtype: 'float32', shape: ['batch', K] });
  return out;
}

/** Inputs of decoder_step: previous token [batch], latent code [batch, K], LSTM state h, c [batch, H]. */
export function decoderInputs(cfg: ModelConfig): IoSpec[] {
  const { latentDim: K, hiddenDim: H } = cfg;
  return [
    { name: 'token', dtype: 'int32', shape: ['batch'] },
    { name: 'z', dtype: 'float32', shape: ['batch', K] },
    { name: 'h', dtype: 'float32', shape: ['batch', H] },
    { name: 'c', dtype: 'float32', shape: ['batch', H] },
  ];
}

/** Outputs of decoder_step: logits [batch, V], in-graph greedy token [batch] (int32), new state [batch, H]. */
export function decoderOutputs(cfg: ModelConfig): IoSpec[] {
  const { vocabSize: V, hiddenDim: H } = cfg;
  return [
    { name: 'logits', dtype: 'float32', shape: ['batch', V] },
    { name: 'next_token', dtype: 'int32', shape: ['batch'] },
    { name: 'h_out', dtype: 'float32', shape: ['batch', H] },
    { name: 'c_out', dtype: 'float32', shape: ['batch', H] },
  ];
}

/** Input of decoder_greedy (the ONNX Loop graph): latent codes only; generation starts at `<bos>`. */
export function greedyInputs(cfg: ModelConfig): IoSpec[] {
  return [{ name: 'z', dtype: 'float32', shape: ['batch', cfg.latentDim] }];
}

/**
 * Outputs of decoder_greedy: tokens [batch, steps] int32 (words, then `<eos>` if the row finished,
 * then `<pad>` = 0; steps <= maxLen), lengths [batch] int32 (words per row: cut rows there),
 * finished [batch] bool (emitted `<eos>` within maxLen).
 */
export function greedyOutputs(): IoSpec[] {
  return [
    { name: 'tokens', dtype: 'int32', shape: ['batch', 'steps'] },
    { name: 'lengths', dtype: 'int32', shape: ['batch'] },
    { name: 'finished', dtype: 'bool', shape: ['batch'] },
  ];
}

/** The inputs and outputs graph `graph` of a model with config `cfg` must declare. */
export function graphIo(graph: GraphName, cfg: ModelConfig): { inputs: IoSpec[]; outputs: IoSpec[] } {
  if (graph === 'decoder_step') return { inputs: decoderInputs(cfg), outputs: decoderOutputs(cfg) };
  if (graph === 'decoder_greedy') return { inputs: greedyInputs(cfg), outputs: greedyOutputs() };
  return { inputs: encoderInputs(), outputs: encoderOutputs(cfg) };
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

const REEXPORT = 're-export the model with this version of isovae (isovae export <checkpoint> <out-dir>)';

/** Field readers that throw `IsovaeError('E_MANIFEST')` naming the file and the field. */
class FieldReader {
  constructor(private readonly file: string) {}

  bad(field: string, why: string): never {
    throw new IsovaeError('E_MANIFEST', `${this.file}: field "${field}" ${why}; ${REEXPORT}.`);
  }

  obj(v: unknown, field: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return this.bad(field, v === undefined ? 'is missing' : 'must be an object');
    return v as Record<string, unknown>;
  }

  int(v: unknown, field: string, min: number): number {
    if (v === undefined) return this.bad(field, 'is missing');
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) return this.bad(field, `must be an integer >= ${min} (got ${JSON.stringify(v)})`);
    return v;
  }

  str(v: unknown, field: string): string {
    if (v === undefined) return this.bad(field, 'is missing');
    if (typeof v !== 'string' || v === '') return this.bad(field, 'must be a non-empty string');
    return v;
  }

  sha(v: unknown, field: string): string {
    if (v === undefined) return this.bad(field, 'is missing');
    if (typeof v !== 'string' || !/^[0-9a-f]{64}$/i.test(v)) return this.bad(field, 'must be 64 hex digits (sha256)');
    return v.toLowerCase();
  }

  io(list: unknown, field: string): IoSpec[] {
    if (!Array.isArray(list) || list.length === 0) return this.bad(field, list === undefined ? 'is missing' : 'must be a non-empty array');
    return list.map((e, i) => {
      const o = this.obj(e, `${field}[${i}]`);
      if (o.dtype !== 'int32' && o.dtype !== 'float32' && o.dtype !== 'bool') this.bad(`${field}[${i}].dtype`, 'must be "int32", "float32" or "bool"');
      const shape = o.shape;
      if (!Array.isArray(shape) || !shape.every((d) => (typeof d === 'number' && d >= 1) || (typeof d === 'string' && d !== ''))) {
        this.bad(`${field}[${i}].shape`, 'must be an array of positive integers or dimension names');
      }
      return { name: this.str(o.name, `${field}[${i}].name`), dtype: o.dtype as IoDtype, shape: [...(shape as Array<number | string>)] };
    });
  }

  graph(v: unknown, field: string): GraphSpec {
    const g = this.obj(v, field);
    return { file: this.str(g.file, `${field}.file`), sha256: this.sha(g.sha256, `${field}.sha256`), inputs: this.io(g.inputs, `${field}.inputs`), outputs: this.io(g.outputs, `${field}.outputs`) };
  }
}

function readModel(r: FieldReader, v: unknown): ModelConfig {
  const mc = r.obj(v, 'model');
  if (!POSTERIORS.includes(mc.posterior as never)) r.bad('model.posterior', `must be one of ${POSTERIORS.join(', ')}`);
  return {
    posterior: mc.posterior as ModelConfig['posterior'],
    vocabSize: r.int(mc.vocabSize, 'model.vocabSize', 4),
    embeddingDim: r.int(mc.embeddingDim, 'model.embeddingDim', 1),
    hiddenDim: r.int(mc.hiddenDim, 'model.hiddenDim', 1),
    latentDim: r.int(mc.latentDim, 'model.latentDim', 1),
  };
}

function readSpecial(r: FieldReader, v: unknown, model: ModelConfig): ModelManifest['special'] {
  const sp = r.obj(v, 'special');
  const special = { pad: r.int(sp.pad, 'special.pad', 0), bos: r.int(sp.bos, 'special.bos', 0), eos: r.int(sp.eos, 'special.eos', 0), unk: r.int(sp.unk, 'special.unk', 0) };
  if (special.pad !== PAD_ID || special.bos !== BOS_ID || special.eos !== EOS_ID) r.bad('special', `must have pad ${PAD_ID}, bos ${BOS_ID}, eos ${EOS_ID}`);
  if (special.unk >= model.vocabSize) r.bad('special.unk', `must be < model.vocabSize ${model.vocabSize}`);
  return special;
}

/**
 * Parse and validate `manifest.json` text. `file` names the source in errors (a path or URL).
 * Checks every required field's type and range and the format version; does not read graph or
 * vocabulary files (the loader checks those against the result). Throws `IsovaeError('E_MANIFEST')`
 * naming the missing or bad field, or the unsupported format version, and what to do.
 */
export function parseManifest(text: string, file: string): ModelManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new IsovaeError('E_MANIFEST', `${file}: not valid JSON (${(e as Error).message}); ${REEXPORT}.`, { cause: e });
  }
  const r = new FieldReader(file);
  const m = r.obj(raw, '(root)');
  if (m.format !== MANIFEST_FORMAT) r.bad('format', `must be "${MANIFEST_FORMAT}" (got ${JSON.stringify(m.format)}); is this an isovae model directory?`);
  const version = r.int(m.formatVersion, 'formatVersion', 1);
  if (version !== MANIFEST_FORMAT_VERSION) {
    throw new IsovaeError(
      'E_MANIFEST',
      `${file}: formatVersion ${version} is not supported by this version of isovae (it reads version ${MANIFEST_FORMAT_VERSION}); ${REEXPORT}, or upgrade isovae if the model is newer.`,
    );
  }
  const model = readModel(r, m.model);
  const special = readSpecial(r, m.special, model);
  const vo = r.obj(m.vocab, 'vocab');
  const vocab = { file: r.str(vo.file, 'vocab.file'), size: r.int(vo.size, 'vocab.size', 4), sha256: r.sha(vo.sha256, 'vocab.sha256') };
  const gr = r.obj(m.graphs, 'graphs');
  const graphs: ModelManifest['graphs'] = { encoder: r.graph(gr.encoder, 'graphs.encoder'), decoder_step: r.graph(gr.decoder_step, 'graphs.decoder_step') };
  if (gr.encoder_fused !== undefined) graphs.encoder_fused = r.graph(gr.encoder_fused, 'graphs.encoder_fused');
  if (gr.decoder_greedy !== undefined) graphs.decoder_greedy = r.graph(gr.decoder_greedy, 'graphs.decoder_greedy');
  if (m.dtype !== undefined && !isModelDtype(m.dtype)) {
    throw new IsovaeError('E_MANIFEST', `${file}: field "dtype" is ${JSON.stringify(m.dtype)}, a weight precision this version of isovae does not know (it reads ${MODEL_DTYPES.join(', ')}); use a model directory of a known dtype, or upgrade isovae if the model is newer.`);
  }
  const out: ModelManifest = { format: MANIFEST_FORMAT, formatVersion: version, model, maxLen: r.int(m.maxLen, 'maxLen', 1), special, vocab, graphs };
  if (m.dtype !== undefined) out.dtype = m.dtype as ModelDtype;
  if (typeof m.quantization === 'object' && m.quantization !== null) {
    const q = m.quantization as ManifestQuantization;
    // The runtime picks the encoder by scheme (a dynamic int8 model loads the primitive one): an unknown scheme may
    // need choices this version does not know, so it is refused rather than run slowly or wrongly.
    if (!SCHEME_IDS.includes(q.scheme)) {
      throw new IsovaeError('E_MANIFEST', `${file}: field "quantization.scheme" is ${JSON.stringify(q.scheme)}, a quantization scheme this version of isovae does not know (it reads ${SCHEME_IDS.join(', ')}); re-make the variant with isovae quantize, or upgrade isovae if the model is newer.`);
    }
    out.quantization = q;
  }
  if (m.accuracy !== undefined) out.accuracy = m.accuracy;
  if (m.training !== undefined) out.training = m.training;
  if (typeof m.command === 'string') out.command = m.command;
  if (m.dataset !== undefined) out.dataset = m.dataset;
  if (typeof m.metrics === 'object' && m.metrics !== null) out.metrics = m.metrics as Record<string, number>;
  if (typeof m.exporter === 'object' && m.exporter !== null) out.exporter = m.exporter as ExporterInfo;
  return out;
}
