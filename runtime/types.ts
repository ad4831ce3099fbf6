import type * as ortTypes from 'onnxruntime-common';

/**
 * The onnxruntime API the runtime uses, injected by the caller: `onnxruntime-node` (runtime/node.ts)
 * or `onnxruntime-web` / `onnxruntime-web/webgpu` (runtime/web.ts). Only these members are touched.
 */
export interface Ort {
  InferenceSession: typeof ortTypes.InferenceSession;
  Tensor: typeof ortTypes.Tensor;
}

export type OrtSession = ortTypes.InferenceSession;
export type OrtTensor = ortTypes.Tensor;

/**
 * Execution providers: `cpu` and `cuda` (onnxruntime-node), `wasm` and `webgpu` (onnxruntime-web).
 * `cuda` needs onnxruntime-node installed with its CUDA libraries (`ONNXRUNTIME_NODE_INSTALL=cuda12`).
 */
export type Provider = 'cpu' | 'cuda' | 'wasm' | 'webgpu';
export const PROVIDERS: readonly Provider[] = ['cpu', 'cuda', 'wasm', 'webgpu'];

/** Where warnings go (provider fallback, truncated input). Default: `console`. */
export interface Logger {
  warn(message: string): void;
}

/**
 * What a platform entry (node.ts, web.ts) supplies to the shared core: the onnxruntime module, a
 * sha256 function, and which providers can run here.
 */
export interface Platform {
  ort: Ort;
  /** Lower-case hex sha256 of `bytes` (node: node:crypto; web: crypto.subtle). */
  sha256(bytes: Uint8Array): Promise<string>;
  /** Returns null if `provider` can run here, else the reason it cannot and how to enable it. */
  unavailable(provider: Provider): string | null;
  /** Provider used when none of the requested ones is available. */
  fallback: Provider;
}

/** Options shared by every loader. */
export interface LoadOptions {
  /**
   * Execution providers in order of preference; the first available one is used and reported as
   * `model.provider`. Default: `['cpu']` (node), `['wasm']` (web).
   */
  executionProviders?: readonly Provider[];
  /** If true, an unavailable requested provider throws `IsovaeError('E_PROVIDER')` instead of falling back. Default false. */
  strict?: boolean;
  /** Receives warnings (provider fallback). Default: `console`. */
  logger?: Logger;
  /** onnxruntime intra-op threads per session (node, cpu/cuda). Default: onnxruntime's choice (all cores). */
  threads?: number;
  /**
   * Whether onnxruntime's intra-op threads spin-wait for work between operators (node, cpu). Default true
   * (onnxruntime's default: lowest latency for one caller). `false` frees the cores between operators and runs for
   * the rest of the process, e.g. an HTTP server's event loop (`isovae serve` sets it).
   */
  spinning?: boolean;
  /**
   * Use `encoder_fused` (ONNX LSTM op) when the manifest has it and the provider is cpu/cuda. Default true, except for
   * int8 models of the dynamic scheme: the fused LSTM op has no integer form, so their primitive encoder (int8
   * MatMulInteger) is faster. Weight-only int8 models compute in float32 and keep the fused default.
   */
  useFusedEncoder?: boolean;
  /** Check the sha256 of every file against the manifest. Default true. */
  verifyHashes?: boolean;
}

/** Result of `encode`: row-major `[n, k]` posterior means and log-variances. */
export interface EncodeResult {
  /** `[n * k]` posterior means (the code z for an AE). */
  mean: Float32Array;
  /** `[n * k]` log-variances (IGP: the shared value repeated k times); null for an AE. */
  logvar: Float32Array | null;
  n: number;
  k: number;
  /** Indices of inputs that were longer than the model's `maxLen - 1` words and were truncated. */
  truncated: number[];
}

/** One decoded row. */
export interface Decoded {
  /** Token ids, cut before the first `<eos>` (EOS excluded). For `impute`: prefix ids then generated ids. */
  ids: Int32Array;
  /** The words of `ids`. */
  words: string[];
  /** `words` joined by single spaces. */
  text: string;
  /** True if the row emitted `<eos>` within the length limit. */
  finished: boolean;
}
