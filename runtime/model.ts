import type { ModelConfig } from '../core/config.ts';
import type { ModelDtype } from '../core/dtype.ts';
import { IsovaeError } from '../core/errors.ts';
import { Rng } from '../core/rng.ts';
import { tokenize } from '../core/tokenize.ts';
import type { Vocab } from '../core/vocab.ts';
import { encodeRows } from './encode.ts';
import { decoderStep, decoderStepLogits, greedyDecode, type StepState } from './greedy.ts';
import { manifestDtype, type ModelManifest } from '../core/model-dir.ts';
import type { GraphSession } from './session.ts';
import { checkIdRow, textToIds, type TextIds } from './text.ts';
import type { Decoded, EncodeResult, Ort, Provider } from './types.ts';

/** Everything a loaded model holds (built by load.ts). */
export interface ModelParts {
  ort: Ort;
  manifest: ModelManifest;
  vocab: Vocab;
  provider: Provider;
  encoder: GraphSession;
  decoder: GraphSession;
  /** `[K]` mean-head bias read from encoder.onnx (faithful imputation), or null if not found. */
  meanBias: Float32Array | null;
  /** True if the encoder session runs `encoder_fused.onnx`. */
  fused: boolean;
}

/** Options of the decoding methods. */
export interface DecodeOptions {
  /** Maximum generated tokens per row, `<eos>` included. Default: the manifest's `maxLen`. */
  maxLen?: number;
  /** Rows per decoder batch. Default 128. */
  batchSize?: number;
}

/**
 * A loaded isovae model: encoder + greedy decoder on onnxruntime. Create it with `loadModel`
 * (node: runtime/node.ts) or `loadWebModel` (runtime/web.ts). Methods may be called concurrently;
 * runs on each session are serialised. Call `dispose()` to release the native sessions.
 */
export class IsovaeModel {
  readonly manifest: ModelManifest;
  readonly vocab: Vocab;
  /** The execution provider the sessions run on. */
  readonly provider: Provider;
  /** True if the encoder runs the fused-LSTM graph. */
  readonly fusedEncoder: boolean;
  private readonly ort: Ort;
  private readonly encoder: GraphSession;
  private readonly decoder: GraphSession;
  private readonly meanBias: Float32Array | null;
  private disposed = false;

  constructor(parts: ModelParts) {
    this.ort = parts.ort;
    this.manifest = parts.manifest;
    this.vocab = parts.vocab;
    this.provider = parts.provider;
    this.encoder = parts.encoder;
    this.decoder = parts.decoder;
    this.meanBias = parts.meanBias;
    this.fusedEncoder = parts.fused;
  }

  /** Model architecture (posterior, V, E, H, K). */
  get config(): ModelConfig {
    return this.manifest.model;
  }

  /** Weight precision of the loaded files: `fp32`, `int8` or `fp16` (manifest `dtype`). */
  get dtype(): ModelDtype {
    return manifestDtype(this.manifest);
  }

  /** K, the latent size. */
  get latentDim(): number {
    return this.manifest.model.latentDim;
  }

  /** Longest sequence in tokens including `<eos>`; inputs keep at most `maxLen - 1` words. */
  get maxLen(): number {
    return this.manifest.maxLen;
  }

  /** True after `dispose()`. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /**
   * `[K]` mean-head bias of the encoder (the z of every `faithful` imputation), or null when the
   * encoder file does not store it. A copy: changing it does not change the model.
   */
  get meanHeadBias(): Float32Array | null {
    return this.meanBias ? this.meanBias.slice() : null;
  }

  /** Split text into tokens with the model's tokenizer (core/tokenize.ts). */
  tokenize(text: string): string[] {
    if (typeof text !== 'string') throw new TypeError(`tokenize: text must be a string (got ${typeof text}).`);
    return tokenize(text);
  }

  /** Text -> encoder ids (word ids, OOV -> `unk`, then `<eos>`; at most `maxLen - 1` words). */
  toIds(text: string): TextIds {
    return textToIds(this.vocab, text, this.maxLen - 1);
  }

  /**
   * Posterior means and log-variances of `inputs` (texts, or id rows: word ids then `<eos>`).
   * Texts: OOV words -> `unk`; empty text encodes as `[<eos>]`; more than `maxLen - 1` words are
   * truncated and listed in `truncated`. `batchSize` (default 128) rows per encoder run.
   */
  async encode(inputs: ReadonlyArray<string | ArrayLike<number>>, opts: { batchSize?: number } = {}): Promise<EncodeResult> {
    this.alive();
    if (!Array.isArray(inputs)) throw new TypeError('encode: inputs must be an array of strings or id arrays.');
    const batchSize = positiveInt(opts.batchSize ?? 128, 'batchSize');
    const maxWords = this.maxLen - 1;
    const rows = inputs.map((x, i) => (typeof x === 'string' ? textToIds(this.vocab, x, maxWords) : checkIdRow(x, i, this.config.vocabSize, maxWords)));
    const truncated = rows.flatMap((r, i) => (r.truncated ? [i] : []));
    const k = this.latentDim;
    const withLogvar = this.config.posterior !== 'ae';
    const { mean, logvar } = await encodeRows(this.ort, this.encoder, rows.map((r) => r.ids), k, batchSize, withLogvar);
    return { mean, logvar, n: rows.length, k, truncated };
  }

  /**
   * `n` draws from the prior N(0, I_K), row-major `[n * K]`, deterministic for a given integer `seed`
   * (default 0): core/rng.ts (xoshiro128**, Box-Muller), so the same seed gives the same z as other
   * isovae tools; node and browsers may differ in the last bit of Math.log/cos.
   */
  sample(n: number, opts: { seed?: number } = {}): Float32Array {
    positiveInt(n, 'n', 0);
    const seed = opts.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw new RangeError(`sample: seed must be an integer (got ${String(seed)}).`);
    const rng = new Rng(seed);
    const z = new Float32Array(n * this.latentDim);
    for (let i = 0; i < z.length; i++) z[i] = rng.normal();
    return z;
  }

  /** Greedy decoding of `z` (`[n * K]`, row-major), batched with early stop at `<eos>`. */
  async decode(z: Float32Array, opts: DecodeOptions = {}): Promise<Decoded[]> {
    this.alive();
    const n = this.rowsOf(z, 'decode: z');
    return this.generate(z, Array.from({ length: n }, () => new Int32Array(0)), opts);
  }

  /** Encode `texts` (posterior means; z for an AE) and greedy-decode them back. */
  async reconstruct(texts: readonly string[], opts: DecodeOptions = {}): Promise<Decoded[]> {
    const { mean } = await this.encode(texts, opts.batchSize === undefined ? {} : { batchSize: opts.batchSize });
    return this.decode(mean, opts);
  }

  /**
   * Word imputation / sentence completion (paper Table 1, protocol §4.8): the decoder is teacher-forced
   * on `<bos>` + prefix with z, then continues greedily for `maxLen - prefixWords` tokens. The result's
   * ids are the prefix ids then the generated ids. `mode`:
   * - `intended` (default): z = posterior mean of prefix + `<eos>` (what the paper describes);
   * - `faithful`: the paper code's behaviour: the encoder sees no `<eos>`, so its summary is zero and
   *   z is the mean-head bias for every prefix.
   * Prefixes are tokenized like `encode` (OOV -> `unk`) and cut to `maxLen - 1` words; an empty prefix
   * is plain decoding from z.
   */
  async impute(prefixes: readonly string[], opts: DecodeOptions & { mode?: 'intended' | 'faithful' } = {}): Promise<Decoded[]> {
    this.alive();
    const mode = opts.mode ?? 'intended';
    if (mode !== 'intended' && mode !== 'faithful') throw new RangeError(`impute: mode must be "intended" or "faithful" (got ${String(mode)}).`);
    if (!Array.isArray(prefixes)) throw new TypeError('impute: prefixes must be an array of strings.');
    const words = prefixes.map((p) => textToIds(this.vocab, p, this.maxLen - 1, false).ids);
    const k = this.latentDim;
    let z: Float32Array;
    if (mode === 'intended') {
      z = (await this.encode(prefixes)).mean;
    } else {
      if (!this.meanBias) {
        throw new IsovaeError('E_MODEL_FILE', `${this.manifest.graphs.encoder.file}: faithful imputation needs the initializer "mean/bias", which this encoder does not store; re-export the model.`);
      }
      z = new Float32Array(words.length * k);
      for (let i = 0; i < words.length; i++) z.set(this.meanBias, i * k);
    }
    return this.generate(z, words, opts);
  }

  /**
   * Linear homotopy between the posterior means of `a` and `b` (protocol §4.9):
   * z_i = (1 - i/(steps-1)) z_a + i/(steps-1) z_b for i = 0..steps-1 (default 6 points), each decoded.
   */
  async interpolate(a: string, b: string, opts: DecodeOptions & { steps?: number } = {}): Promise<{ z: Float32Array; decoded: Decoded[] }> {
    const steps = positiveInt(opts.steps ?? 6, 'steps', 2);
    const { mean } = await this.encode([a, b]);
    const z = interpolateLatents(mean, this.latentDim, steps);
    return { z, decoded: await this.decode(z, opts) };
  }

  /**
   * One decoder step for `b = token.length` independent rows (no teacher forcing, no stopping
   * rule): token `[b]` int32, z `[b * K]`, h and c `[b * H]` (zeros at the first step) ->
   * greedy next token `[b]` and the new state. For schedulers that manage their own rows (the
   * server's continuous decode batch); `decode` and friends are the usual entry points.
   */
  async decoderStep(state: StepState): Promise<{ next: Int32Array; h: Float32Array; c: Float32Array }> {
    this.alive();
    return decoderStep(this.ort, this.decoder, { k: this.latentDim, h: this.config.hiddenDim }, state);
  }

  /**
   * `decoderStep` that also returns the logits `[b * V]` (row-major float32, before softmax) of the next
   * token: what scoring text needs (teacher-forced log-likelihood, e.g. reproduce/model-report.ts). The
   * state arrays are as in `decoderStep`.
   */
  async decoderStepLogits(state: StepState): Promise<{ logits: Float32Array; next: Int32Array; h: Float32Array; c: Float32Array }> {
    this.alive();
    return decoderStepLogits(this.ort, this.decoder, { k: this.latentDim, h: this.config.hiddenDim }, state);
  }

  /** Release both onnxruntime sessions (after pending runs). Idempotent; later calls throw. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await Promise.all([this.encoder.release(), this.decoder.release()]);
  }

  /** True once every native session is released (for leak tests). */
  get sessionsReleased(): boolean {
    return this.encoder.isReleased && this.decoder.isReleased;
  }

  private async generate(z: Float32Array, prefixes: Int32Array[], opts: DecodeOptions): Promise<Decoded[]> {
    this.alive();
    const maxLen = positiveInt(opts.maxLen ?? this.maxLen, 'maxLen');
    const batchSize = positiveInt(opts.batchSize ?? 128, 'batchSize');
    const k = this.latentDim;
    const out: Decoded[] = [];
    for (let s = 0; s < prefixes.length; s += batchSize) {
      const pre = prefixes.slice(s, s + batchSize);
      const b = pre.length;
      // Each row generates up to maxLen - prefixWords tokens (protocol §4.8), at least 1.
      const maxNew = Int32Array.from(pre, (p) => Math.max(1, maxLen - p.length));
      const res = await greedyDecode(this.ort, this.decoder, { k, h: this.config.hiddenDim }, { z: z.slice(s * k, (s + b) * k), b, prefixes: pre, maxNew });
      res.ids.forEach((gen, r) => {
        const p = pre[r]!;
        const ids = new Int32Array(p.length + gen.length);
        ids.set(p);
        ids.set(gen, p.length);
        const words = this.vocab.decodeIds(ids);
        out.push({ ids, words, text: words.join(' '), finished: res.finished[r]! });
      });
    }
    return out;
  }

  private rowsOf(z: Float32Array, what: string): number {
    if (!(z instanceof Float32Array)) throw new TypeError(`${what} must be a Float32Array [n * K].`);
    const k = this.latentDim;
    if (z.length % k !== 0) throw new RangeError(`${what} has ${z.length} values, not a multiple of K = ${k}.`);
    for (let i = 0; i < z.length; i++) if (!Number.isFinite(z[i]!)) throw new RangeError(`${what}[${i}] is ${z[i]}; values must be finite.`);
    return z.length / k;
  }

  private alive(): void {
    if (this.disposed) throw new Error('isovae model: the model was disposed; load it again.');
  }
}

/**
 * The `steps` points z_i = (1 - i/(steps-1)) z_a + i/(steps-1) z_b (i = 0..steps-1) between the
 * two rows of `ends` (`[2 * k]`: z_a then z_b), row-major `[steps * k]`; `steps` >= 2.
 */
export function interpolateLatents(ends: Float32Array, k: number, steps: number): Float32Array {
  const z = new Float32Array(steps * k);
  for (let i = 0; i < steps; i++) {
    const t = i / (steps - 1);
    for (let d = 0; d < k; d++) z[i * k + d] = (1 - t) * ends[d]! + t * ends[k + d]!;
  }
  return z;
}

function positiveInt(v: number, name: string, min = 1): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new TypeError(`${name} must be an integer (got ${String(v)}).`);
  if (v < min) throw new RangeError(`${name} must be >= ${min} (got ${v}).`);
  return v;
}
