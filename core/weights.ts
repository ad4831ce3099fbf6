import type { ModelConfig } from './config.ts';
import { IsovaeError } from './errors.ts';

/**
 * Model parameters in Keras/tfjs layout (protocol §2.1). LSTM gate blocks along 4H are i, f, g, o.
 *
 * | name                        | shape                         |
 * |-----------------------------|-------------------------------|
 * | embedding                   | [V, E]  (shared enc/dec)      |
 * | encoder/kernel              | [E, 4H]                       |
 * | encoder/recurrent_kernel    | [H, 4H]                       |
 * | encoder/bias                | [4H]                          |
 * | mean/kernel, mean/bias      | [H, K], [K]   (AE: the code z)|
 * | logvar/kernel, logvar/bias  | [H, K],[K] diag; [H, 1],[1] iso; absent for ae |
 * | decoder/kernel              | [E + K, 4H] (rows 0..E-1 embedding, E..E+K-1 z) |
 * | decoder/recurrent_kernel    | [H, 4H]                       |
 * | decoder/bias                | [4H]                          |
 * | output/kernel, output/bias  | [H, V], [V]                   |
 */
export type WeightName =
  | 'embedding'
  | 'encoder/kernel'
  | 'encoder/recurrent_kernel'
  | 'encoder/bias'
  | 'mean/kernel'
  | 'mean/bias'
  | 'logvar/kernel'
  | 'logvar/bias'
  | 'decoder/kernel'
  | 'decoder/recurrent_kernel'
  | 'decoder/bias'
  | 'output/kernel'
  | 'output/bias';

/** One parameter tensor on the host: row-major float32 data with its shape. */
export interface HostTensor {
  shape: number[];
  data: Float32Array;
}

/** All parameters of a model, keyed by name (logvar/* absent for the AE). */
export type Weights = Partial<Record<WeightName, HostTensor>>;

/** The expected shape of every weight for a model config, in a fixed canonical order. */
export function weightShapes(cfg: ModelConfig): Array<[WeightName, number[]]> {
  const { vocabSize: V, embeddingDim: E, hiddenDim: H, latentDim: K } = cfg;
  const out: Array<[WeightName, number[]]> = [
    ['embedding', [V, E]],
    ['encoder/kernel', [E, 4 * H]],
    ['encoder/recurrent_kernel', [H, 4 * H]],
    ['encoder/bias', [4 * H]],
    ['mean/kernel', [H, K]],
    ['mean/bias', [K]],
  ];
  if (cfg.posterior === 'diag') out.push(['logvar/kernel', [H, K]], ['logvar/bias', [K]]);
  if (cfg.posterior === 'iso') out.push(['logvar/kernel', [H, 1]], ['logvar/bias', [1]]);
  out.push(
    ['decoder/kernel', [E + K, 4 * H]],
    ['decoder/recurrent_kernel', [H, 4 * H]],
    ['decoder/bias', [4 * H]],
    ['output/kernel', [H, V]],
    ['output/bias', [V]],
  );
  return out;
}

/** Throws `IsovaeError('E_CHECKPOINT')` unless `w` has exactly the weights `cfg` needs, with the right shapes. */
export function checkWeights(cfg: ModelConfig, w: Weights, where: string): void {
  const expected = weightShapes(cfg);
  for (const [name, shape] of expected) {
    const t = w[name];
    if (!t) throw new IsovaeError('E_CHECKPOINT', `${where}: weight "${name}" is missing; re-export or re-train the model.`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new IsovaeError('E_CHECKPOINT', `${where}: weight "${name}" has shape [${t.shape}] but the config needs [${shape}].`);
    }
    const n = shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new IsovaeError('E_CHECKPOINT', `${where}: weight "${name}" has ${t.data.length} values, expected ${n}.`);
  }
  const names = new Set(expected.map(([n]) => n));
  for (const name of Object.keys(w)) {
    if (!names.has(name as WeightName)) throw new IsovaeError('E_CHECKPOINT', `${where}: unexpected weight "${name}" for posterior "${cfg.posterior}".`);
  }
}

/** Index entry of a packed weight file: the tensor lives at bytes [offset, offset + 4*prod(shape)). */
export interface PackedEntry {
  name: string;
  shape: number[];
  offset: number;
}

/**
 * Pack named float32 tensors into one little-endian byte buffer plus a JSON-able index, in the
 * given order (deterministic). Used for checkpoints (weights and Adam moments).
 */
export function packTensors(tensors: Array<[string, HostTensor]>): { index: PackedEntry[]; bytes: Uint8Array } {
  let total = 0;
  for (const [, t] of tensors) total += t.data.length * 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  const index: PackedEntry[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    index.push({ name, shape: [...t.shape], offset });
    for (let i = 0; i < t.data.length; i++) view.setFloat32(offset + 4 * i, t.data[i]!, true);
    offset += t.data.length * 4;
  }
  return { index, bytes };
}

/** Inverse of `packTensors`; `file` names the source for errors. */
export function unpackTensors(index: PackedEntry[], bytes: Uint8Array, file: string): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const e of index) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + 4 * n > bytes.byteLength) {
      throw new IsovaeError('E_CHECKPOINT', `${file}: tensor "${e.name}" runs past the end of the file (truncated?); use an earlier checkpoint or re-train.`);
    }
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = view.getFloat32(e.offset + 4 * i, true);
    out.set(e.name, { shape: [...e.shape], data });
  }
  return out;
}

/**
 * The posterior heads ([H, K] and [H, K] / [H, 1]): 2HK values, under 1% of a model's weights, that set z directly.
 * Weight-only int8 keeps them in float32 by default: rounding them moved z enough to change the greedy
 * reconstructions of 17% of the shipped DGP model's test sentences on their own (docs/DECISIONS.md).
 */
export const POSTERIOR_HEAD_WEIGHTS: readonly WeightName[] = ['mean/kernel', 'logvar/kernel'];
