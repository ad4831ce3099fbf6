import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeTritonRepo, type TritonOptions } from '../export/triton.ts';
import { intArg } from './encode.ts';
import type { BackendChoice } from '../train/backend.ts';
import { exportModelAs, formatAccuracy, formatParityTable } from '../export/index.ts';
import type { Recurrence } from '../export/encoder-graph.ts';
import { ACCURACY_OPTIONS, ACCURACY_USAGE, parseAccuracyFlags, parseInt8Flags } from './accuracy-flags.ts';

const USAGE = `Usage: isovae export <checkpoint> <out-dir> [options]

Write an ONNX model directory (manifest.json, vocab.txt, encoder.onnx, decoder_step.onnx,
encoder_fused.onnx) from a training checkpoint, then check it against the tfjs model on
onnxruntime-node (batch 1/3/17 x length 1/7/max, atol 1e-4, 64 greedy decodes).

Options:
  --dtype <fp32|int8|fp16>  weight precision (default fp32). int8 / fp16: the float32 export is
                            validated, converted (see isovae quantize --help) and its accuracy
                            contract measured on the checkpoint's test split
  --scheme <weight-only|dynamic>  int8 scheme (default weight-only; see isovae quantize --help)
  --block-size <n>          weight-only int8: values per scale (default 16)
  --reduce-range            dynamic int8 with 7-bit weights (x86 CPUs without AVX-512 VNNI)
  --recurrence <scan|loop>  time loop of encoder.onnx (default scan)
  --no-fused                do not write encoder_fused.onnx (ONNX LSTM op, CPU/CUDA only)
  --gather-tables           precompute [V,4H] Emb@W tables (faster steps, much bigger files)
  --argmax-op               next_token via ArgMax+Cast (slightly faster on CPU; not fully WebGPU)
  --greedy-graph            also write decoder_greedy.onnx: greedy decoding as one ONNX Loop
                            (z -> tokens, no host loop), checked token by token against decoder_step
  --triton <repo>           also write a Triton model repository (<name>_encoder, <name>_generate
                            with the Loop graph; implies --greedy-graph); see docs/serving.md
  --triton-name <name>      model name prefix in the repository (default: the out-dir's folder name)
  --triton-max-batch <n>    Triton max_batch_size (default 128)
  --triton-kind <k>         instance kind: auto, cpu or gpu (default auto)
  --no-validate             skip the parity check (not recommended)
  --atol <x>                parity tolerance (default 1e-4)
  --backend <auto|wasm|node|cpu>  tfjs backend of the reference model (default auto)
${ACCURACY_USAGE}
  -h, --help                show this help`;

/** `isovae export <checkpoint> <out-dir>`: export and validate (exit code 1 on failure via the thrown error). */
export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      recurrence: { type: 'string', default: 'scan' },
      'no-fused': { type: 'boolean', default: false },
      'gather-tables': { type: 'boolean', default: false },
      'no-validate': { type: 'boolean', default: false },
      'argmax-op': { type: 'boolean', default: false },
      'greedy-graph': { type: 'boolean', default: false },
      triton: { type: 'string' },
      'triton-name': { type: 'string' },
      'triton-max-batch': { type: 'string', default: '128' },
      'triton-kind': { type: 'string', default: 'auto' },
      atol: { type: 'string' },
      backend: { type: 'string', default: 'auto' },
      dtype: { type: 'string', default: 'fp32' },
      scheme: { type: 'string' },
      'block-size': { type: 'string' },
      'reduce-range': { type: 'boolean', default: false },
      ...ACCURACY_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [checkpoint, outDir, ...rest] = positionals;
  if (!checkpoint || !outDir || rest.length > 0) throw new RangeError(`isovae export: expected <checkpoint> <out-dir>, got ${JSON.stringify(positionals)}.\n\n${USAGE}`);
  if (values.recurrence !== 'scan' && values.recurrence !== 'loop') throw new RangeError(`isovae export: --recurrence must be scan or loop, got "${values.recurrence}".`);
  if (!['auto', 'wasm', 'node', 'cpu'].includes(values.backend)) throw new RangeError(`isovae export: --backend must be auto, wasm, node or cpu, got "${values.backend}".`);
  const atol = values.atol === undefined ? undefined : Number(values.atol);
  if (atol !== undefined && !(atol > 0)) throw new RangeError(`isovae export: --atol must be a positive number, got "${values.atol}".`);
  // Triton options are checked before the (slow) export.
  const kind = values['triton-kind'];
  if (kind !== 'auto' && kind !== 'cpu' && kind !== 'gpu') throw new RangeError(`isovae export: --triton-kind must be auto, cpu or gpu, got "${kind}".`);
  const triton: TritonOptions | null = values.triton === undefined ? null : {
    name: values['triton-name'] ?? basename(resolve(outDir)).replace(/[^A-Za-z0-9_.-]/g, '_'),
    kind, maxBatchSize: intArg(values['triton-max-batch'], '--triton-max-batch', 1),
  };
  const dtype = values.dtype;
  if (dtype !== 'fp32' && dtype !== 'int8' && dtype !== 'fp16') throw new RangeError(`isovae export: --dtype must be fp32, int8 or fp16, got "${dtype}".`);
  const int8 = parseInt8Flags('isovae export', values, dtype);
  const acc = parseAccuracyFlags('isovae export', values);
  const t0 = performance.now();
  const { manifest, parity, accuracy } = await exportModelAs(checkpoint, outDir, {
    dtype,
    ...(acc.sentencesFile ? { sentencesFile: acc.sentencesFile } : {}),
    ...(acc.maxSentences ? { maxSentences: acc.maxSentences } : {}),
    quantize: { ...int8, reduceRange: values['reduce-range'], fusedEncoder: !values['no-fused'], thresholds: acc.thresholds, allowAccuracyLoss: acc.allowAccuracyLoss },
    recurrence: values.recurrence as Recurrence,
    fusedEncoder: !values['no-fused'],
    gatherTables: values['gather-tables'],
    argmax: values['argmax-op'] ? 'op' : 'float',
    greedyGraph: values['greedy-graph'] || values.triton !== undefined,
    validate: !values['no-validate'],
    backend: values.backend as BackendChoice,
    ...(atol !== undefined ? { parity: { atol } } : {}),
  });
  const graphs = Object.entries(manifest.graphs).map(([name, g]) => `${name} (${g.file})`).join(', ');
  console.log(`exported ${manifest.model.posterior} model (${dtype}) to ${outDir}: ${graphs}, vocab ${manifest.vocab.size}`);
  if (parity) console.log(`${dtype === 'fp32' ? '' : 'float32 export before conversion:\n'}${formatParityTable(parity)}`);
  else console.log('parity check skipped (--no-validate)');
  if (values.triton !== undefined && triton) {
    const repo = await writeTritonRepo(outDir, values.triton, triton);
    console.log(`Triton model repository in ${values.triton}: ${Object.keys(repo.configs).join(', ')} (docs/serving.md: docker run, KServe v2 requests)`);
  }
  if (accuracy) console.log(formatAccuracy(accuracy));
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
