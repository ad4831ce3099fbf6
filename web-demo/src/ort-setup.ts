/**
 * Pick and configure onnxruntime-web for the page: `onnxruntime-web/webgpu` (WebGPU EP + wasm) when
 * WebGPU is requested and an adapter exists, else `onnxruntime-web/wasm`. WASM threads when the page is
 * cross-origin isolated. The .wasm binary is fetched by us (Cache API, progress) and handed to ORT as
 * `env.wasm.wasmBinary`; the .mjs glue comes from `ort/` on this server (`env.wasm.wasmPaths`).
 */
import type { Ort, Provider } from '../../runtime/web.ts';
import { cachedBytes } from './cache.ts';

/** What the user asked for (`?ep=` in the URL): `auto` = WebGPU if available, else WASM. */
export type EpChoice = 'auto' | 'webgpu' | 'wasm';

export interface OrtSetup {
  ort: Ort;
  /** Providers to try, in order (the runtime falls back to wasm). */
  providers: Provider[];
  /** WASM threads in use (1 when the page is not cross-origin isolated). */
  threads: number;
  /** Messages for the user (why WebGPU or threads are not used). */
  notes: string[];
  /** True when the WebGPU adapter has `shader-f16` (fp16 arithmetic in shaders). */
  f16: boolean;
}

/** Whether a WebGPU adapter exists; returns the reason when not. */
export async function webgpuStatus(): Promise<{ ok: boolean; why: string; adapter: string; f16: boolean }> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return { ok: false, why: 'this browser has no WebGPU (navigator.gpu is missing; Chrome/Edge 113+, or enable it in the browser flags)', adapter: '', f16: false };
  try {
    const adapter = (await gpu.requestAdapter()) as { info?: { vendor?: string; architecture?: string; description?: string }; features?: { has(f: string): boolean } } | null;
    if (!adapter) return { ok: false, why: 'WebGPU is present but no GPU adapter is available (blocklisted GPU or disabled hardware acceleration)', adapter: '', f16: false };
    const info = adapter.info ?? {};
    const f16 = adapter.features?.has('shader-f16') ?? false;
    return { ok: true, why: '', adapter: [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') || 'unknown adapter', f16 };
  } catch (e) {
    return { ok: false, why: `requesting a WebGPU adapter failed (${(e as Error).message})`, adapter: '', f16: false };
  }
}

/**
 * Load and configure onnxruntime-web for `choice`. `threads`: requested WASM threads (default:
 * min(4, hardwareConcurrency) when cross-origin isolated, else 1). `onProgress(loaded, total)` follows
 * the download of the ORT .wasm binary (cached after the first visit).
 */
export async function setupOrt(choice: EpChoice, threads: number | null, onProgress: (loaded: number, total: number) => void): Promise<OrtSetup> {
  const notes: string[] = [];
  let useGpu = false;
  let f16 = false;
  if (choice !== 'wasm') {
    const st = await webgpuStatus();
    useGpu = st.ok;
    f16 = st.f16;
    if (!st.ok) notes.push(`WebGPU unavailable: ${st.why}. Using WASM.`);
  }
  // Separate builds: the webgpu build carries the WebGPU EP (and wasm); the wasm build is half the size.
  const mod = useGpu ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm');
  const ort = mod as unknown as Ort & typeof import('onnxruntime-web');
  const base = new URL('ort/', document.baseURI).href;
  const wasmFile = useGpu ? 'ort-wasm-simd-threaded.asyncify.wasm' : 'ort-wasm-simd-threaded.wasm';
  const isolated = globalThis.crossOriginIsolated === true;
  const wanted = threads ?? (isolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1);
  if (wanted > 1 && !isolated) notes.push('WASM threads need a cross-origin-isolated page (COOP/COEP headers); running on 1 thread.');
  const used = isolated ? Math.max(1, wanted) : 1;
  ort.env.wasm.numThreads = used;
  ort.env.wasm.wasmPaths = base;
  ort.env.wasm.wasmBinary = await cachedBytes(base + wasmFile, `ort-${ort.env.versions.web ?? 'x'}`, onProgress);
  return { ort, providers: useGpu ? ['webgpu', 'wasm'] : ['wasm'], threads: used, notes, f16 };
}
