/**
 * Weight precisions of a model directory (manifest field `dtype`; a manifest without it is `fp32`).
 * Graph inputs and outputs are float32 / int32 whatever the dtype: only the stored weights and the
 * arithmetic inside the graphs change.
 * - `fp32`: float32 weights (the exporter's default);
 * - `int8`: int8 weights with per-output-channel scales, dynamically quantized activations (CPU, WASM);
 * - `fp16`: float16 weights and float16 matrix products (WebGPU adapters with `shader-f16`).
 */
export type ModelDtype = 'fp32' | 'fp16' | 'int8';

/**
 * Scheme ids recorded in a quantized manifest (`quantization.scheme`), written by onnx/quantize.ts and read
 * by the runtime (it refuses a scheme it does not know; a weight-only int8 model runs its fused encoder).
 * - {@link INT8_SCHEME}: int8 weights, activations quantized dynamically, int8 matrix products;
 * - {@link INT8_WEIGHT_ONLY_SCHEME}: int8 weights with float16 block scales, dequantized by constant nodes that
 *   onnxruntime folds to float32 at load, then float32 products;
 * - {@link FP16_SCHEME}: float16 weights and float16 matrix products.
 */
export const INT8_SCHEME = 'int8-weight-per-channel-symmetric+uint8-activation-dynamic';
export const INT8_WEIGHT_ONLY_SCHEME = 'int8-weight-only-block-symmetric+fp16-scales';
export const FP16_SCHEME = 'fp16-weights+fp16-matmul';

/**
 * How an int8 model computes: `weight-only` (int8 storage, float32 arithmetic once onnxruntime has folded the
 * weights at load) or `dynamic` (int8 arithmetic, activations quantized on the fly).
 */
export type Int8Scheme = 'weight-only' | 'dynamic';

/** The int8 scheme of `isovae quantize` / `export --dtype int8` when none is asked for. */
export const DEFAULT_INT8_SCHEME: Int8Scheme = 'weight-only';

/** The manifest scheme id of each int8 scheme. */
export const INT8_SCHEME_IDS: Readonly<Record<Int8Scheme, string>> = { 'weight-only': INT8_WEIGHT_ONLY_SCHEME, dynamic: INT8_SCHEME };

/** Every scheme id this version reads. */
export const SCHEME_IDS: readonly string[] = [INT8_SCHEME, INT8_WEIGHT_ONLY_SCHEME, FP16_SCHEME];

/** Number value of IEEE binary16 bits `h` (0 <= h < 65536; for float16 scales and checks). */
export function f16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return sign * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : sign * Infinity;
  return sign * (1 + m / 1024) * 2 ** (e - 15);
}

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

/** Name of the int8 zero-point initializer of an int8 LSTM weight of the dynamic scheme (read by DequantizeLinear). */
export function zeroPointName(weight: string): string {
  return `${weight}/zero_point`;
}
