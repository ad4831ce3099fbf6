import { parseArgs } from 'node:util';
import { loadModel } from '../runtime/index.ts';
import type { IsovaeModel } from '../runtime/model.ts';
import { PROVIDERS, type LoadOptions, type Provider } from '../runtime/types.ts';
import { inputLines, lenientNote } from './input.ts';
import { yieldToEventLoop } from './interrupt.ts';
import { withOutput, type TextSink } from './output.ts';

export type { TextSink } from './output.ts';

const USAGE = `Usage: isovae encode <model-dir> [options]

Encode text lines (one sentence per line) into posterior means with an exported model, streaming:
one output row per input line, in order (an empty line encodes as just <eos>).

Options:
  --input <file|->     input text file, "-" for stdin (default -)
  --output <file|->    output file, "-" for stdout (default -)
  --format json|csv    json: one JSON object per line {"line","mean"[, "logvar"][, "truncated"]};
                       csv: header line,mean_0..mean_{K-1}[,logvar_0..] then one row per line (default json)
  --batch <n>          sentences per encoder run; memory is bounded by one batch (default 128)
  --logvar             also write the log-variances (not for AE models)
  --provider <list>    execution providers in order, comma-separated: cpu, cuda (default cpu)
  --strict             fail instead of falling back when a provider is unavailable
  --threads <n>        onnxruntime intra-op threads (default: all cores)
  --lenient            replace invalid UTF-8 with U+FFFD (counted on stderr) instead of failing
  -h, --help           show this help
Lines end at \n or \r\n (a lone \r is part of the line). Lines longer than the model's maxLen - 1 words
are truncated (counted on stderr). A file --output is written under a temporary name and renamed when
complete; Ctrl-C stops after the current batch and keeps the rows written so far (exit code 130).`;

/** Shared model options of the runtime commands (`encode`, `generate`). */
export const MODEL_OPTIONS = {
  provider: { type: 'string' },
  strict: { type: 'boolean' },
  threads: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Parse `--provider`, `--strict`, `--threads` into runtime load options (RangeError on bad values). */
export function loadOptionsFrom(values: { provider?: string | undefined; strict?: boolean | undefined; threads?: string | undefined }): LoadOptions {
  const opts: LoadOptions = {};
  if (values.provider !== undefined) {
    const list = values.provider.split(',').map((s) => s.trim()).filter(Boolean);
    for (const p of list) if (!PROVIDERS.includes(p as Provider)) throw new RangeError(`--provider: unknown provider "${p}"; valid: ${PROVIDERS.join(', ')}.`);
    opts.executionProviders = list as Provider[];
  }
  if (values.strict) opts.strict = true;
  if (values.threads !== undefined) opts.threads = intArg(values.threads, '--threads', 1);
  return opts;
}

/** Parse an integer flag value >= `min` (RangeError naming the flag otherwise). */
export function intArg(v: string, flag: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new RangeError(`${flag} must be an integer >= ${min} (got "${v}").`);
  return n;
}


/** Float32 value as the shortest decimal that round-trips to the same float32. */
function f32(v: number): string {
  return String(parseFloat(v.toPrecision(9)));
}

/**
 * Stream `lines` through `model.encode` in batches of `batch`, writing one row per line to `out`
 * in `format`. Memory holds one batch. Returns the number of lines and of truncated lines; when `signal`
 * aborts, stops after the batch in progress (its rows are written) with `interrupted` set.
 */
export async function encodeLines(
  model: IsovaeModel,
  lines: AsyncIterable<string>,
  out: TextSink,
  opts: { format: 'json' | 'csv'; batch: number; logvar: boolean; signal?: AbortSignal },
): Promise<{ lines: number; truncated: number; interrupted: boolean }> {
  const k = model.latentDim;
  const withLv = opts.logvar && model.config.posterior !== 'ae';
  if (opts.logvar && !withLv) throw new RangeError('--logvar: this model is an AE and has no log-variance.');
  if (opts.format === 'csv') {
    const cols = ['line', ...Array.from({ length: k }, (_, i) => `mean_${i}`), ...(withLv ? Array.from({ length: k }, (_, i) => `logvar_${i}`) : [])];
    await out.write(cols.join(',') + '\n');
  }
  let count = 0;
  let truncated = 0;
  let pending: string[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const res = await model.encode(pending, { batchSize: opts.batch });
    const trunc = new Set(res.truncated);
    truncated += trunc.size;
    let chunk = '';
    for (let i = 0; i < res.n; i++) {
      const line = count + i + 1;
      const mean = Array.from(res.mean.subarray(i * k, (i + 1) * k), f32);
      const lv = withLv ? Array.from(res.logvar!.subarray(i * k, (i + 1) * k), f32) : null;
      if (opts.format === 'csv') chunk += [line, ...mean, ...(lv ?? [])].join(',') + '\n';
      else chunk += `{"line":${line},"mean":[${mean.join(',')}]${lv ? `,"logvar":[${lv.join(',')}]` : ''}${trunc.has(i) ? ',"truncated":true' : ''}}\n`;
    }
    count += res.n;
    pending = [];
    await out.write(chunk);
  };
  for await (const line of lines) {
    pending.push(line);
    if (pending.length >= opts.batch) {
      await flush();
      await yieldToEventLoop();
      if (opts.signal?.aborted) return { lines: count, truncated, interrupted: true };
    }
  }
  await flush();
  return { lines: count, truncated, interrupted: false };
}

/** `isovae encode <model-dir> [--input file|-] [--format json|csv] [--batch 128] ...` */
export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      input: { type: 'string', default: '-' },
      output: { type: 'string', default: '-' },
      format: { type: 'string', default: 'json' },
      batch: { type: 'string', default: '128' },
      logvar: { type: 'boolean' },
      lenient: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  if (positionals.length !== 1) throw new RangeError(`isovae encode: expected exactly one <model-dir> (got ${positionals.length} arguments).\n\n${USAGE}`);
  const format = values.format;
  if (format !== 'json' && format !== 'csv') throw new RangeError(`--format must be json or csv (got "${format}").`);
  const batch = intArg(values.batch, '--batch', 1);
  const loadOpts = loadOptionsFrom(values);
  const stats = { lines: 0, replacedLines: 0 };
  const lines = inputLines(values.input, { lenient: values.lenient ?? false, stats });
  await withOutput('encode', values.output, [values.input], async (out, signal) => {
    const model = await loadModel(positionals[0]!, loadOpts);
    try {
      const res = await encodeLines(model, lines, out, { format, batch, logvar: values.logvar ?? false, signal });
      if (res.truncated > 0) process.stderr.write(`isovae encode: ${res.truncated} of ${res.lines} lines were longer than ${model.maxLen - 1} words and were truncated.\n`);
      return { rows: res.lines, interrupted: res.interrupted };
    } finally {
      await model.dispose();
    }
  });
  const note = lenientNote('encode', stats);
  if (note) process.stderr.write(note + '\n');
}
