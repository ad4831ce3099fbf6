import { IsovaeError } from '../core/errors.ts';

/** Sub-commands: each module exports `run(argv)` and is loaded only when used (the runtime ones never load tfjs). */
const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run: (argv: string[]) => Promise<void> }> }> = {
  train: { summary: 'train an IGP / DGP VAE or an AE (tfjs)', load: () => import('./train.ts') },
  demo: { summary: 'the main job: train IGP and DGP on the embedded corpus, export, verify, reconstruct', load: () => import('./demo.ts') },
  export: { summary: 'write ONNX graphs + manifest from a checkpoint, validated against tfjs', load: () => import('./export.ts') },
  quantize: { summary: 'int8 (CPU/WASM) or fp16 (WebGPU) copy of a model directory, with its accuracy vs fp32', load: () => import('./quantize.ts') },
  verify: { summary: 'parity table: tfjs checkpoint vs exported ONNX model, per execution provider', load: () => import('./verify.ts') },
  encode: { summary: 'text lines in, latent vectors out (JSON or CSV)', load: () => import('./encode.ts') },
  generate: { summary: 'sample, reconstruct, impute or interpolate with an exported model', load: () => import('./generate.ts') },
  reproduce: { summary: "the paper's experiment grid on a dataset, with a report (tables, plots, results.json)", load: () => import('./reproduce.ts') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Usage: isovae <command> [options]   (isovae <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** Entry point of the `isovae` binary. Exit codes: 0 ok, 1 error, 2 usage, 130 interrupted. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    console.error(`isovae: unknown command "${name}".\n\n${usage()}`);
    return 2;
  }
  try {
    await (await cmd.load()).run(rest);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (err) {
    if (err instanceof IsovaeError) {
      console.error(`isovae ${name}: ${err.message} [${err.code}]`);
      return 1;
    }
    if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`isovae ${name}: ${err.message}\n(see isovae ${name} --help)`);
      return 2;
    }
    if (err instanceof RangeError || err instanceof TypeError) {
      // bad arguments reported by a library function: its message names the argument
      console.error(`isovae ${name}: ${err.message}\n(see isovae ${name} --help)`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
