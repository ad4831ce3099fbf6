/**
 * `models/index.json`: which model directories (under `models/`) a models folder ships, read by the web demo
 * (web-demo/src/formats.ts documents the file with an example) and by `isovae evaluate --models-index`.
 * `dtypes` (optional) lists the quantized variants of a model, each a complete model directory
 * `<dir>/<dtype>/` (written by `isovae quantize`); `<dir>/` itself is the fp32 model. `int8Scheme` (optional,
 * with an int8 variant) says how that variant computes: `weight-only` (float32 arithmetic after load: runs on
 * WebGPU as well as fp32 does) or `dynamic` (int8 arithmetic: CPU / WASM kernels).
 */
import type { Int8Scheme } from './dtype.ts';

/** One shipped model of the index. */
export interface IndexEntry {
  /** Directory name under `models/` (no slashes). */
  dir: string;
  /** Label shown in the model picker; default: the directory name. */
  title: string;
  /** Quantized variants available as `<dir>/<dtype>/` (fp32 is `<dir>/` and always present). */
  dtypes: Array<'int8' | 'fp16'>;
  /** The int8 variant's scheme (core/dtype.ts), when the index says; null otherwise. */
  int8Scheme: Int8Scheme | null;
}

/** The parsed index: the models in the order listed. */
export interface ModelsIndex {
  models: IndexEntry[];
}

/** Parse `models/index.json`; throws Error naming `file` and the bad field. */
export function parseIndex(text: string, file: string): ModelsIndex {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message}); write it with web-demo/scripts/make-index.ts.`);
  }
  const models = (raw as { models?: unknown })?.models;
  if (!Array.isArray(models) || models.length === 0) throw new Error(`${file}: "models" must be a non-empty array of { dir, title }.`);
  return {
    models: models.map((m: unknown, i) => {
      const { dir, title, dtypes, int8Scheme } = (m ?? {}) as { dir?: unknown; title?: unknown; dtypes?: unknown; int8Scheme?: unknown };
      if (typeof dir !== 'string' || !/^[\w.-]+$/.test(dir) || dir.startsWith('.')) {
        throw new Error(`${file}: models[${i}].dir must be a directory name under models/ (letters, digits, _ . -).`);
      }
      if (dtypes !== undefined && (!Array.isArray(dtypes) || !dtypes.every((d) => d === 'int8' || d === 'fp16'))) {
        throw new Error(`${file}: models[${i}].dtypes must be an array of "int8" / "fp16" (quantized variants in ${dir}/<dtype>/).`);
      }
      if (int8Scheme !== undefined && int8Scheme !== 'weight-only' && int8Scheme !== 'dynamic') {
        throw new Error(`${file}: models[${i}].int8Scheme must be "weight-only" or "dynamic" (the scheme of ${dir}/int8/).`);
      }
      return {
        dir, title: typeof title === 'string' && title ? title : dir, dtypes: [...((dtypes as Array<'int8' | 'fp16'> | undefined) ?? [])],
        int8Scheme: (int8Scheme as IndexEntry['int8Scheme'] | undefined) ?? null,
      };
    }),
  };
}
