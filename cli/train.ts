import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_TRAIN_CONFIG, resolveTrainConfig, type DataSource, type TrainConfig } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import { trainModel } from '../train/trainer.ts';
import { parseDataSource } from './data-arg.ts';
import { EXIT_INTERRUPTED, withInterrupt } from './interrupt.ts';

/** `--vocab-words` <-> `vocabWords`. */
export const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

export { parseDataSource };

const NUMERIC = Object.entries(DEFAULT_TRAIN_CONFIG).filter(([, v]) => typeof v === 'number').map(([k]) => k);

export const TRAIN_USAGE = `Usage: isovae train [options]

Train the paper's LSTM VAE (IGP or DGP) or the AE baseline. Defaults are the paper's
(E=200 H=512 K=32, 12K words, batch 128, 20 epochs, Adam 5e-4, C warm-up 5000 steps).

Options:
  --data <brown|csv:DIR|dir:DIR|DIR>  training data (default brown: the embedded Brown corpus)
  --posterior <iso|diag|ae>           IGP, DGP or autoencoder (default iso)
  --c <nats>                          target KL C (default 15)
  --out <dir>                         run directory (default runs/default); checkpoint in <dir>/checkpoint
  --config <file.json>                config overrides (flags win over the file)
  --resume                            continue from <out>/checkpoint (error if there is none; completes
                                      a save interrupted by a crash, saying so)
  --overwrite                         start from scratch even if <out> holds a checkpoint (otherwise refused)
  --engine <ort|tfjs>                 training engine (default ort: onnxruntime-node on every core;
                                      tfjs: the reference engine on tfjs-wasm)
  --provider <cpu|cuda>               ort engine: execution provider (default cpu; cuda falls back to cpu
                                      with a warning where the CUDA provider is not installed)
  --strict                            ort engine: fail instead of falling back to cpu
  --threads <n>                       ort engine: onnxruntime threads (default 0 = every core)
  --backend <auto|wasm|node|cpu>      tfjs engine: tfjs backend (default auto: tfjs-node if installed, else wasm)
  --workers <n>                       tfjs engine: data-parallel gradient workers (default 1)
  --patience <n>                      early stopping: stop after n epochs (after the C warm-up) without a
                                      better validation loss and keep the best epoch's weights (default 0 = off)
${NUMERIC.filter((k) => !['c', 'workers', 'threads', 'patience'].includes(k)).map((k) => `  --${kebab(k)} <n>`.padEnd(38) + `(default ${(DEFAULT_TRAIN_CONFIG as unknown as Record<string, number>)[k]})`).join('\n')}
  -h, --help`;

/** `isovae train`: flags and an optional JSON file over the defaults; Ctrl-C writes a checkpoint and exits 130. */
export async function run(argv: string[]): Promise<void> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {
    data: { type: 'string' }, posterior: { type: 'string' }, out: { type: 'string' }, config: { type: 'string' },
    resume: { type: 'boolean' }, overwrite: { type: 'boolean' }, backend: { type: 'string' }, engine: { type: 'string' }, provider: { type: 'string' },
    strict: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  };
  for (const k of NUMERIC) options[kebab(k)] = { type: 'string' };
  const { values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false });
  if (values.help) {
    console.log(TRAIN_USAGE);
    return;
  }
  const flags: Record<string, unknown> = {};
  for (const k of NUMERIC) {
    const v = values[kebab(k)];
    if (typeof v === 'string') {
      const n = Number(v);
      if (!Number.isFinite(n)) throw new IsovaeError('E_CONFIG', `--${kebab(k)} "${v}" is not a number.`);
      flags[k] = n;
    }
  }
  if (typeof values.posterior === 'string') flags.posterior = values.posterior;
  if (typeof values.backend === 'string') flags.backend = values.backend;
  if (typeof values.engine === 'string') flags.engine = values.engine;
  if (typeof values.provider === 'string') flags.provider = values.provider;
  if (values.strict === true) flags.strict = true;
  if (typeof values.out === 'string') flags.outDir = values.out;
  if (typeof values.data === 'string') flags.data = parseDataSource(values.data);
  const layers: Array<{ source: string; values: Record<string, unknown> }> = [];
  if (typeof values.config === 'string') {
    if (!existsSync(values.config)) throw new IsovaeError('E_CONFIG', `--config "${values.config}" does not exist.`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(values.config, 'utf8'));
    } catch (err) {
      throw new IsovaeError('E_CONFIG', `--config "${values.config}" is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new IsovaeError('E_CONFIG', `--config "${values.config}" must hold a JSON object.`);
    layers.push({ source: values.config, values: parsed as Record<string, unknown> });
  }
  layers.push({ source: 'command line', values: flags });
  const cfg: TrainConfig = resolveTrainConfig(...layers);
  if (values.resume === true && values.overwrite === true) throw new RangeError('--resume and --overwrite exclude each other: continue the run, or replace it.');
  await withInterrupt('stopping after this step; writing a checkpoint', async (signal) => {
    const result = await trainModel(cfg, { resume: values.resume === true, overwrite: values.overwrite === true, command: `isovae train ${argv.join(' ')}`.trim(), signal });
    if (result.interrupted) process.exitCode = EXIT_INTERRUPTED;
    else console.log(JSON.stringify({ checkpoint: result.checkpoint, test: result.test }, null, 2));
  });
}
