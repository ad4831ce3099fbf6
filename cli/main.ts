import { describeError } from './errors.ts';
import { writeError } from './output.ts';
import { missingTrainerMessage } from './trainer-deps.ts';

/**
 * Sub-commands: each module exports `run(argv)` and is loaded only when used (the runtime ones never load tfjs).
 * `trainer`: needs the trainer's optional dependencies (cli/trainer-deps.ts says how to install them).
 */
const COMMANDS: Record<string, { summary: string; trainer?: true; load: () => Promise<{ run: (argv: string[]) => Promise<void> }> }> = {
  train: { trainer: true, summary: 'train an IGP / DGP VAE or an AE (onnxruntime engine; --engine tfjs: the reference)', load: () => import('./train.ts') },
  demo: { trainer: true, summary: 'the main job: train IGP and DGP on the embedded corpus, export, verify, reconstruct', load: () => import('./demo.ts') },
  export: { trainer: true, summary: 'write ONNX graphs + manifest from a checkpoint, validated against tfjs', load: () => import('./export.ts') },
  quantize: { trainer: true, summary: 'int8 (CPU/WASM) or fp16 (WebGPU) copy of a model directory, with its accuracy vs fp32', load: () => import('./quantize.ts') },
  verify: { trainer: true, summary: 'parity table: tfjs checkpoint vs exported ONNX model, per execution provider', load: () => import('./verify.ts') },
  encode: { summary: 'text lines in, latent vectors out (JSON or CSV)', load: () => import('./encode.ts') },
  generate: { summary: 'sample, reconstruct, impute or interpolate with an exported model', load: () => import('./generate.ts') },
  evaluate: { summary: 'report models on the same test sentences: Rec, KL, AU, directions, BLEU-2, unk rate, examples', load: () => import('./evaluate.ts') },
  serve: { summary: 'HTTP server: OpenAI-style embeddings, reconstruct/generate, KServe v2, batching, metrics', load: () => import('./serve.ts') },
  reproduce: { trainer: true, summary: "the paper's experiment grid on a dataset, with a report (tables, plots, results.json)", load: () => import('./reproduce.ts') },
  sweep: { summary: 'DGP vs IGP at C = 15 across the scales of finished reproduction reports, one table', load: () => import('./sweep.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Usage: isovae <command> [options]   (isovae <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.trainer ? '* ' : ''}${c.summary}`),
    '',
    '* needs the trainer, whose packages are optional peer dependencies of isovae (the command says how to install them)',
  ].join('\n');
}

/** Entry point of the `isovae` binary. Exit codes: 0 ok, 1 error, 2 usage, 130 interrupted. `--debug` anywhere prints stacks. */
export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug') || process.env.ISOVAE_DEBUG === '1';
  const [name, ...rest] = argv.filter((a) => a !== '--debug');
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`isovae: unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  // Failures outside the command's promise chain (a stream or worker error event) get the same one-line report.
  const fatal = (err: unknown) => {
    const { text, exitCode } = describeError(name, err, debug);
    if (text) process.stderr.write(text + '\n');
    process.exit(exitCode);
  };
  process.on('uncaughtException', fatal);
  process.on('unhandledRejection', fatal);
  // A reader that closes our stdout early (| head) must not crash log output (the output path stops the work);
  // any other stdout failure (a full disk) ends the command with an E_WRITE naming standard output.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') fatal(writeError('standard output', err, false));
  });
  try {
    await (await cmd.load()).run(rest);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    const missing = missingTrainerMessage(err, name);
    if (missing) {
      console.error(`isovae ${name}: ${missing}`);
      return 1;
    }
    const { text, exitCode } = describeError(name, err, debug);
    if (text) console.error(text);
    return exitCode;
  }
}

process.exitCode = await main(process.argv.slice(2));
