import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_TRAIN_CONFIG } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import type { BackendChoice } from '../train/backend.ts';
import type { PaperDataset } from '../eval/index.ts';
import { DEFAULT_FRACTIONS } from '../reproduce/grid.ts';
import { presetOf } from '../reproduce/presets.ts';
import { reproduce } from '../reproduce/runner.ts';
import { withInterrupt } from './interrupt.ts';
import { parseDataSource } from './train.ts';

export const REPRODUCE_USAGE = `Usage: isovae reproduce --out <dir> [options]

Runs the paper's experiment grid on a dataset and writes a report (README.md, results.json, SVG
images) into <dir>: the AE, DGP and IGP VAEs for C in {5, 15, 50} over the seeds, plus DGP / IGP
at C=15 trained on 0.1%, 1%, 10% of the training data (sample efficiency). Resumable: finished
runs (checkpoint + metrics.json in <dir>/runs/<id>) are skipped, unfinished ones continue.

Options:
  --data <brown|csv:DIR|dir:DIR|DIR>  dataset (default brown: the embedded Brown corpus)
  --scale <tiny|small|paper-dims|paper>
                                      preset (default tiny): tiny ~3 min on 2 cores, small ~1 h per
                                      seed on DBpedia (14K sentences); paper-dims = the paper's model and
                                      optimiser (E200 H512, batch 128, lr 5e-4), at most 20 epochs with
                                      early stopping (patience 3) and the C ramp as 22.9% of training;
                                      paper = E200 H512, 20 epochs, 5000-step ramp
  --out <dir>                         output directory (required)
  --seeds <list>                      training seeds (default 0,1,2)
  --fractions <list>                  sample-efficiency fractions (default ${DEFAULT_FRACTIONS.join(',')})
  --only <list>                       subset: grid, efficiency, model keys (ae, diag-5, iso-15, ...)
                                      or run ids (iso-15-s0); default everything
  --set <k=v,...>                     training options over the preset (keys of TrainConfig), e.g.
                                      --set maxTrainSentences=6000,maxEvalSentences=2000
  --paper <dbpedia|yahoo>             the paper's numbers to compare with (default dbpedia)
  --engine <ort|tfjs>                 training engine of every run (default ort: onnxruntime on every core)
  --workers <n>                       tfjs engine: data-parallel gradient workers per run (default 1)
  --backend <auto|wasm|node|cpu>      tfjs backend (default auto)
  --report-only                       rebuild the report from finished runs, train nothing
  --report-dir <dir>                  write the report there instead of <out> (runs stay in <out>)
  --records <dir>                     copy each finished run's record (numbers and maps only) into <dir>
                                      and treat runs recorded there as done: commit <dir> as the grid
                                      progresses and a later session (or machine) resumes from it
  --notes <file.md>                   Markdown inserted after the report's header (a discussion)
  -h, --help`;

const list = (flag: string, v: string | undefined, fallback: readonly number[]): number[] => {
  if (v === undefined) return [...fallback];
  const xs = v.split(',').filter((s) => s.trim() !== '').map(Number);
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x))) throw new RangeError(`--${flag} "${v}": expected a comma-separated list of numbers`);
  return xs;
};

/** `isovae reproduce`: the paper's grid + report (library: reproduce/runner.ts `reproduce`). Ctrl-C stops after a checkpoint. */
export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: {
      data: { type: 'string', default: 'brown' }, scale: { type: 'string', default: 'tiny' }, out: { type: 'string' }, seeds: { type: 'string' },
      fractions: { type: 'string' }, set: { type: 'string' }, only: { type: 'string' }, paper: { type: 'string', default: 'dbpedia' }, workers: { type: 'string', default: '1' }, engine: { type: 'string', default: 'ort' },
      backend: { type: 'string', default: 'auto' }, notes: { type: 'string' }, 'report-dir': { type: 'string' }, records: { type: 'string' }, 'report-only': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(REPRODUCE_USAGE);
  if (!values.out) throw new RangeError('--out is required (the directory for runs and the report); see isovae reproduce --help');
  const scale = presetOf(values.scale!).scale;
  const seeds = list('seeds', values.seeds, [0, 1, 2]);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new RangeError(`--seeds "${values.seeds}": expected non-negative integers`);
  if (values.paper !== 'dbpedia' && values.paper !== 'yahoo') throw new RangeError(`--paper "${values.paper}": expected dbpedia or yahoo`);
  if (!['auto', 'wasm', 'node', 'cpu'].includes(values.backend!)) throw new RangeError(`--backend "${values.backend}": expected auto, wasm, node or cpu`);
  if (values.engine !== 'ort' && values.engine !== 'tfjs') throw new IsovaeError('E_CONFIG', `--engine "${values.engine}": expected ort or tfjs`);
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`--workers "${values.workers}": expected an integer >= 1`);
  const overrides: Record<string, number> = {};
  for (const kv of (values.set ?? '').split(',').filter((s) => s !== '')) {
    const [k, v] = kv.split('=');
    if (!k || v === undefined || !Number.isFinite(Number(v))) throw new RangeError(`--set "${kv}": expected key=number (a numeric TrainConfig key)`);
    if (!(k in DEFAULT_TRAIN_CONFIG) || typeof (DEFAULT_TRAIN_CONFIG as unknown as Record<string, unknown>)[k] !== 'number') {
      throw new RangeError(`--set "${k}": not a numeric training option (see isovae train --help)`);
    }
    overrides[k] = Number(v);
  }
  const out = values.out; // narrowed to string above; closures do not keep the narrowing
  await withInterrupt('stopping after the current step; the checkpoint is written, run the same command to continue', async (signal) => {
    const r = await reproduce({
      data: parseDataSource(values.data!), scale, out, seeds, fractions: list('fractions', values.fractions, DEFAULT_FRACTIONS),
      only: values.only ? values.only.split(',').filter((s) => s !== '') : [], overrides, paper: values.paper as PaperDataset, workers, engine: values.engine as 'ort' | 'tfjs',
      backend: values.backend as BackendChoice, reportOnly: values['report-only'] ?? false, notes: values.notes ? readFileSync(values.notes, 'utf8') : '', ...(values['report-dir'] ? { reportDir: values['report-dir'] } : {}), ...(values.records ? { recordsDir: values.records } : {}), command: `isovae reproduce ${argv.join(' ')}`, signal,
    });
    if (r.interrupted) process.exitCode = 130;
  });
}
