import { parseArgs } from 'node:util';
import { contractSentences, formatAccuracy, quantizeModelDir, readManifest } from '../export/index.ts';
import { ACCURACY_OPTIONS, ACCURACY_USAGE, parseAccuracyFlags, parseInt8Flags } from './accuracy-flags.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const USAGE = `Usage: isovae quantize <fp32-model-dir> <out-dir> --dtype <int8|fp16> [options]

Write a copy of a float32 model directory with int8 or float16 weights (standard ONNX ops, opset 17;
same vocabulary and graph inputs/outputs, so every runtime loads it), then measure its accuracy
against the float32 model and record it in the new manifest.
  int8: weights int8 (files about 28% of float32), computed by
        --scheme weight-only (default): one float16 scale per block of 16 weights, dequantized by
                 constant nodes that onnxruntime folds to float32 at load: float32 speed (also on
                 WASM, where int8 kernels are slow) and close to float32 accuracy;
        --scheme dynamic: one scale per output channel, activations quantized on the fly
                 (DynamicQuantizeLinear + MatMulInteger): 2-4x faster than float32 on CPUs with
                 int8 dot products (AVX-512 VNNI), less accurate (often fails the contract).
  fp16: weights float16 and half-precision matrix products: for WebGPU adapters with shader-f16.

Options:
  --dtype <int8|fp16>       target precision (required)
  --scheme <weight-only|dynamic>  int8 scheme (default weight-only)
  --block-size <n>          weight-only: values per scale (default 16; smaller is more accurate
                            and larger: files about 1/4 + 1/(2n) of float32)
  --reduce-range            dynamic int8 with 7-bit weights (x86 CPUs without AVX-512 VNNI, see docs)
  --no-fused                do not write encoder_fused.onnx (CPU/CUDA only; browsers never load it)
  --json                    print the accuracy report as JSON
${ACCURACY_USAGE}
  -h, --help                show this help`;

/** `isovae quantize <fp32-model-dir> <out-dir> --dtype int8|fp16`. */
export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dtype: { type: 'string' },
      scheme: { type: 'string' },
      'block-size': { type: 'string' },
      'reduce-range': { type: 'boolean', default: false },
      'no-fused': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      ...ACCURACY_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [src, outDir, ...rest] = positionals;
  if (!src || !outDir || rest.length > 0) throw new RangeError(`isovae quantize: expected <fp32-model-dir> <out-dir>, got ${JSON.stringify(positionals)}.\n\n${USAGE}`);
  if (values.dtype !== 'int8' && values.dtype !== 'fp16') throw new RangeError(`isovae quantize: --dtype must be int8 or fp16, got ${JSON.stringify(values.dtype ?? null)}.`);
  const int8 = parseInt8Flags('isovae quantize', values, values.dtype);
  const acc = parseAccuracyFlags('isovae quantize', values);
  const manifest = await readManifest(src);
  const vocabText = await readFile(join(src, manifest.vocab.file), 'utf8');
  const sentences = await contractSentences({ file: acc.sentencesFile, training: manifest.training, vocabText, ...(acc.maxSentences ? { max: acc.maxSentences } : {}) });
  console.log(`quantizing ${src} to ${values.dtype}; measuring on ${sentences.source}`);
  const t0 = performance.now();
  const res = await quantizeModelDir(src, outDir, {
    dtype: values.dtype, ...int8, reduceRange: values['reduce-range'], fusedEncoder: !values['no-fused'], sentences,
    thresholds: acc.thresholds, allowAccuracyLoss: acc.allowAccuracyLoss,
  });
  console.log(values.json ? JSON.stringify(res.accuracy, null, 2) : formatAccuracy(res.accuracy!));
  console.log(`wrote ${outDir} (${Object.values(res.manifest.graphs).map((g) => g.file).join(', ')}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  if (!res.accuracy!.ok) console.log('warning: written despite the failed contract (--allow-accuracy-loss); the manifest records the failures.');
}
