import { IsovaeError } from '../core/errors.ts';
import { loadModelFrom, type FileSource } from './load.ts';
import type { IsovaeModel } from './model.ts';
import { sha256Hex } from './sha256.ts';
import type { LoadOptions, Ort, Platform, Provider } from './types.ts';

export { IsovaeModel } from './model.ts';
export { loadModelFrom, type FileSource } from './load.ts';
export { IsovaeError } from '../core/errors.ts';
export { MODEL_DTYPES, type ModelDtype } from '../core/dtype.ts';
export type { DecodeOptions } from './model.ts';
export { parseManifest, MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, type ModelManifest, type GraphSpec, type IoSpec, type GraphName } from '../core/model-dir.ts';
export type { Decoded, EncodeResult, LoadOptions, Logger, Ort, Provider } from './types.ts';

/** Download progress of one model file: bytes so far and total (0 if the server sent no length). */
export interface Progress {
  file: string;
  loaded: number;
  total: number;
}

/** Options of the web loaders: the injected onnxruntime-web module plus the usual load options. */
export interface WebLoadOptions extends LoadOptions {
  /**
   * The onnxruntime-web module: `import * as ort from 'onnxruntime-web'` (wasm) or
   * `'onnxruntime-web/webgpu'` (webgpu + wasm). The caller sets `ort.env.wasm` (threads, paths) first.
   */
  ort: Ort;
  /** Default `['wasm']`; e.g. `['webgpu', 'wasm']` tries WebGPU first (feature-detected) then falls back. */
  executionProviders?: readonly Provider[];
}

/**
 * Web platform: sha256 via crypto.subtle (plain JS when the page is not a secure context); `webgpu` when `navigator.gpu` exists and the injected
 * module is the webgpu build (it checks at session creation; a failure falls back to wasm).
 */
export function webPlatform(ort: Ort): Platform {
  return {
    ort,
    sha256: async (bytes) => {
      if (!globalThis.crypto?.subtle) return sha256Hex(bytes);
      const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
      return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
    },
    unavailable: (p) => {
      if (p === 'wasm') return null;
      if (p === 'webgpu') {
        const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
        return nav?.gpu ? null : 'this browser has no WebGPU (navigator.gpu is missing)';
      }
      return `"${p}" is a node provider (onnxruntime-node); in a browser use "webgpu" or "wasm"`;
    },
    fallback: 'wasm',
  };
}

/**
 * A FileSource over URLs relative to `baseUrl` (a directory URL; a trailing slash is added).
 * `fetchFn` lets the caller add caching (Cache API, IndexedDB); default `globalThis.fetch`.
 */
export function urlSource(baseUrl: string, opts: { fetchFn?: typeof fetch; onProgress?: (p: Progress) => void } = {}): FileSource {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const fetchFn = opts.fetchFn ?? globalThis.fetch.bind(globalThis);
  return {
    where: (name) => base + name,
    read: async (name) => {
      const url = base + name;
      let res: Response;
      try {
        res = await fetchFn(url);
      } catch (e) {
        throw new IsovaeError('E_MODEL_FILE', `${url}: download failed (${(e as Error).message}); check the URL and the network.`, { cause: e });
      }
      if (res.status === 404) return null;
      if (!res.ok) throw new IsovaeError('E_MODEL_FILE', `${url}: HTTP ${res.status} ${res.statusText}; check the URL and the server.`);
      return readWithProgress(res, name, opts.onProgress);
    },
  };
}

/**
 * The whole body of `res` as bytes, reporting `onProgress({file, loaded, total})` (bytes; total 0 when the server
 * sent no content-length) after every chunk; without a progress callback or a stream body it reads in one go.
 */
export async function readWithProgress(res: Response, file: string, onProgress?: (p: Progress) => void): Promise<Uint8Array> {
  const total = Number(res.headers.get('content-length') ?? 0) || 0;
  if (!res.body || !onProgress) {
    const buf = new Uint8Array(await res.arrayBuffer());
    onProgress?.({ file, loaded: buf.byteLength, total: total || buf.byteLength });
    return buf;
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress({ file, loaded, total });
  }
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/**
 * Load a model directory served at `baseUrl` (manifest.json, vocab.txt, encoder.onnx,
 * decoder_step.onnx) on onnxruntime-web. The active provider is `model.provider`.
 * Throws `IsovaeError` ('E_MANIFEST' | 'E_VOCAB' | 'E_MODEL_FILE' | 'E_PROVIDER') naming the URL.
 */
export async function loadWebModel(
  baseUrl: string,
  opts: WebLoadOptions & { fetchFn?: typeof fetch; onProgress?: (p: Progress) => void },
): Promise<IsovaeModel> {
  const src = urlSource(baseUrl, { ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}), ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
  // encoder_fused uses the ONNX LSTM op, which WebGPU does not run reliably: never load it on the web.
  return loadModelFrom(webPlatform(opts.ort), src, { ...opts, useFusedEncoder: false });
}

/** Load a model from in-memory files keyed by manifest file names, on onnxruntime-web. */
export async function loadWebModelFromBytes(files: Readonly<Record<string, Uint8Array>>, opts: WebLoadOptions): Promise<IsovaeModel> {
  const src: FileSource = { where: (n) => `(bytes)/${n}`, read: async (n) => files[n] ?? null };
  return loadModelFrom(webPlatform(opts.ort), src, { ...opts, useFusedEncoder: false });
}
