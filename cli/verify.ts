import { parseArgs } from 'node:util';
import type { BackendChoice } from '../train/backend.ts';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatAccuracy, formatParityTable, otherRunHint, verifyModel, verifyQuantized, type ParityProvider } from '../export/index.ts';
import { ACCURACY_OPTIONS, ACCURACY_USAGE, parseAccuracyFlags } from './accuracy-flags.ts';

const USAGE = `Usage: isovae verify <checkpoint> <model-dir> [options]
       isovae verify <checkpoint|fp32-model-dir> <int8-or-fp16-model-dir> [options]

Check an exported model directory against its training checkpoint: runs every graph on
onnxruntime-node and the tfjs model on the same seeded inputs (batch 1/3/17 x length 1/7/max) and
prints, per execution provider (cpu always; cuda when its EP is installed), the max abs diff of
every output and the greedy-decode token agreement. Exit code 1 if any check fails.

For an int8 / fp16 model directory it measures the accuracy contract against the float32 model
(the given fp32 directory, or the checkpoint exported and validated first) and exits with 1 if a
threshold fails.

Options:
  --provider <cpu|cuda>   check only this provider (repeatable; default: all available)
  --atol <x>              tolerance (default 1e-4)
  --json                  print the parity table as JSON
  --backend <auto|wasm|node|cpu>  tfjs backend of the reference model (default auto)
${ACCURACY_USAGE.replace(/\n.*--allow-accuracy-loss.*$/m, '')}
  -h, --help              show this help`;

/** `isovae verify <checkpoint> <model-dir>`: print the parity table; sets exit code 1 on failure. */
export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      provider: { type: 'string', multiple: true },
      atol: { type: 'string' },
      json: { type: 'boolean', default: false },
      backend: { type: 'string', default: 'auto' },
      ...ACCURACY_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const [checkpoint, modelDir, ...rest] = positionals;
  if (!checkpoint || !modelDir || rest.length > 0) throw new RangeError(`isovae verify: expected <checkpoint> <model-dir>, got ${JSON.stringify(positionals)}.\n\n${USAGE}`);
  for (const p of values.provider ?? []) {
    if (p !== 'cpu' && p !== 'cuda') throw new RangeError(`isovae verify: --provider must be cpu or cuda, got "${p}".`);
  }
  if (!['auto', 'wasm', 'node', 'cpu'].includes(values.backend)) throw new RangeError(`isovae verify: --backend must be auto, wasm, node or cpu, got "${values.backend}".`);
  const atol = values.atol === undefined ? undefined : Number(values.atol);
  if (atol !== undefined && !(atol > 0)) throw new RangeError(`isovae verify: --atol must be a positive number, got "${values.atol}".`);
  const dtype = await readFile(join(modelDir, 'manifest.json'), 'utf8').then((t) => (JSON.parse(t) as { dtype?: string }).dtype ?? 'fp32', () => 'fp32');
  if (dtype !== 'fp32') {
    const acc = parseAccuracyFlags('isovae verify', values);
    const res = await verifyQuantized(checkpoint, modelDir, { sentencesFile: acc.sentencesFile, maxSentences: acc.maxSentences, thresholds: acc.thresholds, backend: values.backend as BackendChoice });
    if (res.parity) console.log(`float32 export of the checkpoint (the reference):\n${formatParityTable(res.parity)}`);
    console.log(values.json ? JSON.stringify(res.accuracy, null, 2) : formatAccuracy(res.accuracy));
    if (!res.accuracy.ok || (res.parity && !res.parity.ok)) process.exitCode = 1;
    return;
  }
  const table = await verifyModel(checkpoint, modelDir, {
    ...(values.provider ? { providers: values.provider as ParityProvider[] } : {}),
    backend: values.backend as BackendChoice,
    ...(atol !== undefined ? { parity: { atol } } : {}),
  });
  console.log(values.json ? JSON.stringify(table, null, 2) : formatParityTable(table));
  const hint = otherRunHint(table);
  if (hint) console.error(`isovae verify: ${hint}`);
  if (!values.json && !values.provider && !table.providers.some((p) => p.provider === 'cuda')) {
    console.log('cuda: not checked (onnxruntime-node CUDA EP not installed or no usable GPU; install with ONNXRUNTIME_NODE_INSTALL=cuda12)');
  }
  if (!table.ok) process.exitCode = 1;
}
