/**
 * Weight precisions of a model directory (manifest field `dtype`; a manifest without it is `fp32`).
 * Graph inputs and outputs are float32 / int32 whatever the dtype: only the stored weights and the
 * arithmetic inside the graphs change.
 * - `fp32`: float32 weights (the exporter's default);
 * - `int8`: int8 weights with per-output-channel scales, dynamically quantized activations (CPU, WASM);
 * - `fp16`: float16 weights and float16 matrix products (WebGPU adapters with `shader-f16`).
 */
export type ModelDtype = 'fp32' | 'fp16' | 'int8';

/** Every dtype this version reads and writes. */
export const MODEL_DTYPES: readonly ModelDtype[] = ['fp32', 'fp16', 'int8'];

/** True if `v` is a dtype this version knows. */
export function isModelDtype(v: unknown): v is ModelDtype {
  return typeof v === 'string' && (MODEL_DTYPES as readonly string[]).includes(v);
}

/**
 * Name of the float32 per-channel scale initializer of an int8 weight `weight` (e.g.
 * `output/kernel/scale`): written by onnx/quantize.ts, checked by the runtime before loading.
 */
export function scaleName(weight: string): string {
  return `${weight}/scale`;
}

/** Name of the int8 zero-point initializer of a weight-only (DequantizeLinear) int8 weight. */
export function zeroPointName(weight: string): string {
  return `${weight}/zero_point`;
}
