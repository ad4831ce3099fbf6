import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { IsovaeError } from '../core/errors.ts';
import { parseIndex } from '../core/models-index.ts';
import { DEFAULT_REPORT_BATCH, DEFAULT_REPORT_SENTENCES, formatModelReport, modelReport, type ModelReport, type ReportProgress } from '../reproduce/model-report.ts';
import { clock, LineBar, textBar } from '../train/progress.ts';
import { parseDataSource } from './data-arg.ts';
import { intArg, loadOptionsFrom } from './encode.ts';
import { openOutput, type Output } from './output.ts';

const USAGE = `Usage: isovae evaluate <model-dir> [<model-dir> ...] [options]

Report exported model directories (fp32, int8 or fp16) on the SAME test sentences, with the runtime:
Rec (teacher-forced NLL, one sampled z per sentence) and KL in nats per sentence, AU and active directions
of the means, BLEU-2 of greedy reconstructions from the mean (against the original words, where a
generated unk is a miss, and against the model's unk-replaced reference), unk rates, and reconstructions
of a few sentences written by the team. A Markdown table goes to standard output, progress to stderr.

Options:
  --models-index <file>  also evaluate the models a models/index.json lists (after the <model-dir>s),
                         each as <dir> (fp32) plus the variants chosen by --dtypes
  --dtypes <list>        variants of the index's models, comma-separated among fp32, int8, fp16
                         (default fp32,int8; a variant the index does not list is skipped)
  --data <brown|csv:DIR|dir:DIR|DIR>  whose test split (default brown: the embedded Brown corpus)
  --data-seed <n>        seed of the carved splits, as the trainer's dataSeed (default 0)
  --sentences <n>        the first n test sentences (in split order) that pass --max-words (default ${DEFAULT_REPORT_SENTENCES})
  --max-words <n>        longest sentence kept, in words (default: the smallest maxLen - 1 of the
                         models' manifests, so every model can read and reproduce every sentence)
  --batch <n>            rows per runtime batch and per batch mean of Rec / KL (default ${DEFAULT_REPORT_BATCH})
  --seed <n>             seed of the z samples of Rec (default 0)
  --json <file>          also write the report's numbers as JSON
  --markdown <file>      also write the Markdown report (with the command that made it)
  --provider <list>      execution providers in order: cpu, cuda (default cpu)
  --strict               fail instead of falling back when a provider is unavailable
  --threads <n>          onnxruntime intra-op threads (default: all cores)
  -h, --help             show this help
Example: isovae evaluate models/igp-brown-c50 models/dgp-brown-c50 --sentences 500`;

const DTYPES = ['fp32', 'int8', 'fp16'] as const;

/**
 * Model directories of a models index (`models/index.json`, core/models-index.ts), relative to the index's folder:
 * per model `<dir>` for fp32 and `<dir>/<dtype>` for each of `dtypes` the index lists. IsovaeError E_INPUT when the
 * file is missing or malformed.
 */
export function dirsFromIndex(file: string, dtypes: readonly string[]): string[] {
  if (!existsSync(file)) throw new IsovaeError('E_INPUT', `--models-index "${file}": no such file; give a models/index.json.`);
  let index;
  try {
    index = parseIndex(readFileSync(file, 'utf8'), file);
  } catch (e) {
    throw new IsovaeError('E_INPUT', (e as Error).message, { cause: e });
  }
  const root = dirname(file);
  return index.models.flatMap((m) => [
    ...(dtypes.includes('fp32') ? [join(root, m.dir)] : []),
    ...m.dtypes.filter((d) => dtypes.includes(d)).map((d) => join(root, m.dir, d)),
  ]);
}

/** `evaluate [=====>      ] model 2/3 models/dgp-brown-c50  rec 512/2000  elapsed 01:02` */
export function formatReportProgress(p: ReportProgress, seconds: number, width = 20): string {
  const frac = ((p.model - 1) + (p.total > 0 ? p.done / p.total : 0) * (p.phase === 'greedy' ? 1 : 0.5)) / p.models;
  return `evaluate [${textBar(frac, width)}] model ${p.model}/${p.models} ${p.dir}  ${p.phase} ${p.done}/${p.total}  elapsed ${clock(seconds)}`;
}

/** Open `path` for the `flag` output, with the flag's name in the error. */
function openFlagOutput(flag: string, path: string): Output {
  try {
    return openOutput(path);
  } catch (e) {
    if (e instanceof IsovaeError) throw new IsovaeError(e.code, e.message.replace('--output', flag), { cause: e });
    throw e;
  }
}

/** JSON of the report: every figure, no rounding. */
export function reportJson(r: ModelReport, command: string): string {
  return JSON.stringify({ format: 'isovae-model-report', formatVersion: 1, command, ...r }, null, 2) + '\n';
}

/**
 * `isovae evaluate` (library: reproduce/model-report.ts `modelReport`).
 * @param argv the command's arguments, without `isovae evaluate`.
 * @param madeBy the command a reader reruns to refresh the outputs, written into their "Made by" line and the JSON's
 *   `command`; default `isovae evaluate <argv>`. A wrapper (scripts/report-models.ts) passes its own command, because
 *   the directories it hands to evaluate exist only while it runs.
 */
export async function run(argv: string[], madeBy?: string): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      'models-index': { type: 'string' }, dtypes: { type: 'string', default: 'fp32,int8' }, data: { type: 'string', default: 'brown' },
      'data-seed': { type: 'string', default: '0' }, sentences: { type: 'string', default: String(DEFAULT_REPORT_SENTENCES) }, 'max-words': { type: 'string' },
      batch: { type: 'string', default: String(DEFAULT_REPORT_BATCH) }, seed: { type: 'string', default: '0' }, json: { type: 'string' }, markdown: { type: 'string' },
      provider: { type: 'string' }, strict: { type: 'boolean' }, threads: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return console.log(USAGE);
  const dtypes = values.dtypes!.split(',').map((s) => s.trim()).filter(Boolean);
  for (const d of dtypes) if (!(DTYPES as readonly string[]).includes(d)) throw new RangeError(`--dtypes: unknown dtype "${d}"; valid: ${DTYPES.join(', ')}.`);
  const dirs = [...positionals, ...(values['models-index'] ? dirsFromIndex(values['models-index'], dtypes) : [])];
  if (dirs.length === 0) throw new RangeError('give at least one model directory, or --models-index models/index.json; see isovae evaluate --help.');
  const data = parseDataSource(values.data!);
  const opts = {
    data,
    dataSeed: intArg(values['data-seed']!, '--data-seed', 0),
    sentences: intArg(values.sentences!, '--sentences', 2),
    ...(values['max-words'] === undefined ? {} : { maxWords: intArg(values['max-words'], '--max-words', 1) }),
    batchSize: intArg(values.batch!, '--batch', 1),
    seed: intArg(values.seed!, '--seed', 0),
    load: loadOptionsFrom(values),
  };
  const command = madeBy ?? ['isovae', 'evaluate', ...argv].join(' ');
  // Outputs are opened first, so a bad path fails before minutes of work; they are discarded if the work fails.
  const outputs: Array<{ out: Output; text: (r: ModelReport) => string }> = [];
  try {
    if (values.json) outputs.push({ out: openFlagOutput('--json', values.json), text: (r) => reportJson(r, command) });
    if (values.markdown) outputs.push({ out: openFlagOutput('--markdown', values.markdown), text: (r) => `# Model report\n\nMade by \`${command}\` (rerun it to refresh this file).\n\n${formatModelReport(r)}` });
    const bar = new LineBar(process.stderr);
    const started = performance.now();
    const report = await modelReport(dirs, { ...opts, onProgress: (p) => bar.draw(formatReportProgress(p, (performance.now() - started) / 1000)) });
    bar.done();
    process.stderr.write(`isovae evaluate: ${report.rows.length} model(s) on ${report.sentences} sentences in ${clock((performance.now() - started) / 1000)}\n`);
    process.stdout.write(formatModelReport(report));
    for (const o of outputs) {
      await o.out.write(o.text(report));
      await o.out.commit();
    }
  } catch (err) {
    for (const o of outputs) await o.out.abort();
    throw err;
  }
}
