import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { IsovaeError } from '../core/errors.ts';
import { encodeModel } from '../onnx/builder.ts';
import { decodeModel, FP16_SCHEME, quantizeModel, WEIGHT_ONLY_BLOCK, type Int8Scheme, type WeightDtype } from '../onnx/quantize.ts';
import { DEFAULT_INT8_SCHEME, INT8_SCHEME_IDS } from '../core/dtype.ts';
import { formatAccuracy, measureAccuracy, type AccuracyOptions, type AccuracyReport } from './accuracy.ts';
import { readManifest } from './export-model.ts';
import { MANIFEST_FILE, manifestDtype, type GraphName, type ManifestQuantization, type ModelManifest } from '../core/model-dir.ts';
import { withStagedModelDir } from './write-model-dir.ts';
import { POSTERIOR_HEAD_WEIGHTS } from '../core/weights.ts';
import { sha256Hex } from './manifest.ts';
import { readGraphs } from './validate.ts';

/** Options of {@link quantizeModelDir}. */
export interface QuantizeDirOptions extends AccuracyOptions {
  dtype: WeightDtype;
  /** int8: 7-bit weights (see onnx/quantize.ts). Default false. */
  reduceRange?: boolean;
  /**
   * int8: `weight-only` (int8 files, float32 arithmetic after onnxruntime folds the weights at load: passes the
   * accuracy contract where `dynamic` fails, and runs at float32 speed on WASM) or `dynamic` (int8 arithmetic:
   * 2-4x faster than float32 on CPUs with VNNI, less accurate). Default `weight-only`.
   */
  int8Scheme?: Int8Scheme;
  /**
   * Weight-only int8: values per scale along each weight's reduction axis. Default 16 (WEIGHT_ONLY_BLOCK).
   * Smaller blocks are more accurate and larger: the file is about 1/4 + 1/(2 blockSize) of float32.
   */
  blockSize?: number;
  /**
   * Initializer names left in float32 (onnx/quantize.ts `keepFloat`). Default none, except for weight-only int8:
   * the posterior heads (core/weights.ts POSTERIOR_HEAD_WEIGHTS; under 1% of the weights).
   */
  keepFloat?: readonly string[];
  /** Keep encoder_fused.onnx (CPU/CUDA only) when the source has it. Default true. */
  fusedEncoder?: boolean;
  /**
   * Sentences (texts or id rows: word ids then `<eos>`) the accuracy contract is measured on, and a
   * description of where they come from. Null: no measurement (the manifest then records no accuracy;
   * not recommended).
   */
  sentences: { inputs: ReadonlyArray<string | ArrayLike<number>>; source: string } | null;
  /** Keep the directory and return normally when the contract fails (the manifest records the failures). Default false. */
  allowAccuracyLoss?: boolean;
}

/**
 * Write `outDir`: the float32 model directory `srcDir` with its weights converted to `opts.dtype`
 * (onnx/quantize.ts), the same vocabulary and IO, and a manifest with `dtype`, `quantization` and the
 * `accuracy` measured against `srcDir` (export/accuracy.ts). `outDir` is replaced atomically as a whole
 * (new, empty or a model directory; IsovaeError E_OUTPUT otherwise). Throws IsovaeError('E_QUANT_ACCURACY') with
 * the measured figures when a threshold fails (unless `allowAccuracyLoss`; the directory is kept for
 * inspection either way), E_MANIFEST if `srcDir` is not a float32 model directory, E_MODEL_FILE if a
 * graph fails its sha256.
 */
export async function quantizeModelDir(srcDir: string, outDir: string, opts: QuantizeDirOptions): Promise<{ manifest: ModelManifest; accuracy: AccuracyReport | null }> {
  if (resolve(srcDir) === resolve(outDir)) throw new RangeError(`quantize: the output directory must differ from the source ${srcDir}.`);
  const src = await readManifest(srcDir);
  const srcFile = join(srcDir, 'manifest.json');
  if (manifestDtype(src) !== 'fp32') {
    throw new IsovaeError('E_MANIFEST', `${srcFile}: this model is already ${src.dtype}; quantize the float32 model directory it was made from.`);
  }
  const int8Scheme = opts.int8Scheme ?? DEFAULT_INT8_SCHEME;
  const weightOnly = opts.dtype === 'int8' && int8Scheme === 'weight-only';
  if (opts.blockSize !== undefined && !weightOnly) throw new RangeError('quantize: blockSize is an option of weight-only int8 (int8Scheme "weight-only").');
  const blockSize = opts.blockSize ?? WEIGHT_ONLY_BLOCK;
  const keepFloat = opts.keepFloat ?? (weightOnly ? POSTERIOR_HEAD_WEIGHTS : []);
  if (weightOnly && opts.reduceRange) throw new RangeError('quantize: reduceRange (--reduce-range, 7-bit weights) is for the dynamic int8 scheme (--scheme dynamic); weight-only int8, the default, does no integer arithmetic.');
  const graphs = await readGraphs(srcDir, src);
  const keep = opts.fusedEncoder ?? true;
  const weights: ManifestQuantization['weights'] = {};
  const out = new Map<GraphName, Uint8Array>();
  for (const [name, bytes] of graphs) {
    if (name === 'encoder_fused' && !keep) continue;
    const q = quantizeModel(decodeModel(bytes), { dtype: opts.dtype, reduceRange: opts.reduceRange ?? false, keepFloat, int8Scheme, blockSize });
    weights[name] = q.weights.map((w) => ({ name: w.name, op: w.op, dims: w.dims }));
    out.set(name, encodeModel(q.model));
  }
  const graphsOut = {} as ModelManifest['graphs'];
  for (const [name, bytes] of out) Object.assign(graphsOut, { [name]: { ...src.graphs[name]!, sha256: sha256Hex(bytes) } });
  const manifest: ModelManifest = {
    ...src,
    graphs: graphsOut,
    dtype: opts.dtype,
    quantization: {
      scheme: opts.dtype === 'fp16' ? FP16_SCHEME : INT8_SCHEME_IDS[int8Scheme],
      reduceRange: opts.dtype === 'int8' && (opts.reduceRange ?? false),
      ...(weightOnly ? { blockSize } : {}),
      keepFloat: [...keepFloat],
      weights,
      source: { manifestSha256: sha256Hex(await readFile(srcFile)) },
    },
  };
  // Written and measured in a staging directory that then replaces outDir as a whole (export/atomic-dir.ts).
  const accuracy = await withStagedModelDir(outDir, async (stage) => {
    for (const [name, bytes] of out) await writeFile(join(stage, src.graphs[name]!.file), bytes);
    await copyFile(join(srcDir, src.vocab.file), join(stage, src.vocab.file));
    const write = (m: ModelManifest): Promise<void> => writeFile(join(stage, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`);
    await write(manifest);
    if (!opts.sentences) return null;
    const report = await measureAccuracy(srcDir, stage, opts.sentences.inputs, opts.sentences.source, opts);
    manifest.accuracy = report;
    await write(manifest);
    return report;
  });
  if (!accuracy) return { manifest, accuracy: null };
  if (!accuracy.ok && !opts.allowAccuracyLoss) {
    throw new IsovaeError('E_QUANT_ACCURACY',
      `${outDir}: the ${opts.dtype} model fails its accuracy contract against ${srcDir}:\n${formatAccuracy(accuracy)}\n` +
      `Do not ship it: ${opts.dtype === 'int8' && !weightOnly ? 'try --scheme weight-only (float32 arithmetic, nearly float32 accuracy), ' : ''}use the fp32 model, try the other dtype, or accept the loss explicitly (--allow-accuracy-loss, or looser thresholds).`);
  }
  return { manifest, accuracy };
}

/**
 * The variants the web demo and the shipped models use, next to a float32 model directory `dir`:
 * `<dir>/int8/` (with encoder_fused for node CPU when `dir` has one; scheme `int8Scheme`, default weight-only:
 * the demo runs it on WASM, where onnxruntime-web's int8 kernels are slower than float32, and it keeps greedy
 * decoding closer to fp32) and `<dir>/fp16/` (WebGPU only, so without encoder_fused), each with its accuracy contract measured on `sentences` (throws E_QUANT_ACCURACY on a
 * failed contract). `dtypes` [int8, fp16] picks which to write (e.g. only int8 to fit a size budget);
 * `thresholds` override the defaults of export/accuracy.ts (recorded in each manifest).
 * Returns the accuracy reports by dtype written.
 */
export async function writeVariants(
  dir: string, sentences: NonNullable<QuantizeDirOptions['sentences']>,
  opts: Pick<QuantizeDirOptions, 'threads' | 'thresholds' | 'int8Scheme' | 'blockSize'> & { dtypes?: readonly WeightDtype[] } = {},
): Promise<Partial<Record<WeightDtype, AccuracyReport>>> {
  const { dtypes = ['int8', 'fp16'], int8Scheme = DEFAULT_INT8_SCHEME, blockSize, ...rest } = opts;
  const out: Partial<Record<WeightDtype, AccuracyReport>> = {};
  const int8Opts = { int8Scheme, ...(int8Scheme === 'weight-only' && blockSize !== undefined ? { blockSize } : {}) };
  if (dtypes.includes('int8')) out.int8 = (await quantizeModelDir(dir, join(dir, 'int8'), { ...rest, ...int8Opts, dtype: 'int8', sentences })).accuracy!;
  if (dtypes.includes('fp16')) out.fp16 = (await quantizeModelDir(dir, join(dir, 'fp16'), { ...rest, dtype: 'fp16', sentences, fusedEncoder: false })).accuracy!;
  return out;
}
