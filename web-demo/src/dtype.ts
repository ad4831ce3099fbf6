/**
 * Which weight precision the demo loads (`?dtype=auto|fp32|int8|fp16`):
 * - auto: int8 on WASM (4x smaller download); on WebGPU, fp16 when the adapter has `shader-f16` (half the
 *   bytes, f16 arithmetic), else a weight-only int8 variant (4x smaller download, float32 arithmetic once
 *   onnxruntime has folded its weights: runs wherever fp32 runs), else fp32;
 * - an explicit choice is honoured when the model ships that variant and the backend can run it well:
 *   fp16 needs WebGPU with `shader-f16` (elsewhere onnxruntime would emulate it), so it falls back to fp32
 *   with a note saying why.
 */
import type { Int8Scheme } from '../../core/dtype.ts';

export type DtypeChoice = 'auto' | 'fp32' | 'int8' | 'fp16';
export type Dtype = 'fp32' | 'int8' | 'fp16';

/** What the page knows about the backend when it picks. */
export interface BackendInfo {
  /** True when the sessions are created on WebGPU first. */
  webgpu: boolean;
  /** True when the WebGPU adapter has the `shader-f16` feature. */
  f16: boolean;
}

/** Parse `?dtype=`; anything else is `auto`. */
export function parseDtypeChoice(v: string | null): DtypeChoice {
  return v === 'fp32' || v === 'int8' || v === 'fp16' ? v : 'auto';
}

/**
 * The dtype to load for a model with quantized variants `available` (fp32 always exists; `int8Scheme`: the
 * int8 variant's scheme from the index, null if unknown), and a note for the user when the choice could not be
 * honoured (null when it was, or when auto simply picked).
 */
export function pickDtype(choice: DtypeChoice, backend: BackendInfo, available: readonly string[], int8Scheme: Int8Scheme | null = null): { dtype: Dtype; note: string | null } {
  const has = (d: Dtype): boolean => d === 'fp32' || available.includes(d);
  const f16Ok = backend.webgpu && backend.f16;
  const why16 = !backend.webgpu ? 'fp16 weights are for WebGPU, which is not in use' : 'this WebGPU adapter has no shader-f16 feature';
  if (choice === 'auto') {
    if (backend.webgpu) {
      if (f16Ok && has('fp16')) return { dtype: 'fp16', note: null };
      // A dynamic int8 variant's integer products have no WebGPU kernels (onnxruntime would run them on the CPU).
      const int8 = has('int8') && int8Scheme === 'weight-only';
      const note = has('fp16') && !f16Ok ? `${why16}: using ${int8 ? 'int8 (weight-only)' : 'fp32'} weights.` : null;
      return { dtype: int8 ? 'int8' : 'fp32', note };
    }
    return { dtype: has('int8') ? 'int8' : 'fp32', note: null };
  }
  if (!has(choice)) return { dtype: 'fp32', note: `this model ships no ${choice} variant: using fp32 weights.` };
  if (choice === 'fp16' && !f16Ok) return { dtype: 'fp32', note: `${why16}: using fp32 weights instead of fp16.` };
  return { dtype: choice, note: null };
}
