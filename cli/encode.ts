import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { loadModel } from '../runtime/index.ts';
import type { IsovaeModel } from '../runtime/model.ts';
import { PROVIDERS, type LoadOptions, type Provider } from '../runtime/types.ts';

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
  -h, --help           show this help
Lines longer than the model's maxLen - 1 words are truncated (counted on stderr).`;

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

/** Something that accepts text chunks, honouring back-pressure. */
export interface TextSink {
  write(chunk: string): Promise<void>;
}

/** Float32 value as the shortest decimal that round-trips to the same float32. */
function f32(v: number): string {
  return String(parseFloat(v.toPrecision(9)));
}

/**
 * Stream `lines` through `model.encode` in batches of `batch`, writing one row per line to `out`
 * in `format`. Memory holds one batch. Returns the number of lines and of truncated lines.
 */
export async function encodeLines(
  model: IsovaeModel,
  lines: AsyncIterable<string>,
  out: TextSink,
  opts: { format: 'json' | 'csv'; batch: number; logvar: boolean },
): Promise<{ lines: number; truncated: number }> {
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
    if (pending.length >= opts.batch) await flush();
  }
  await flush();
  return { lines: count, truncated };
}

/** A TextSink over a node Writable (waits for 'drain' when its buffer is full). */
export function streamSink(stream: NodeJS.WritableStream): TextSink {
  return {
    write: async (chunk) => {
      if (!stream.write(chunk)) await once(stream, 'drain');
    },
  };
}

/** Lines of a file, or of stdin for "-" (CRLF tolerated). */
export function inputLines(input: string): AsyncIterable<string> {
  const stream = input === '-' ? process.stdin : createReadStream(input, { encoding: 'utf8' });
  return createInterface({ input: stream, crlfDelay: Infinity });
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
  const model = await loadModel(positionals[0]!, loadOptionsFrom(values));
  const outStream = values.output === '-' ? process.stdout : createWriteStream(values.output);
  try {
    const res = await encodeLines(model, inputLines(values.input), streamSink(outStream), { format, batch, logvar: values.logvar ?? false });
    if (res.truncated > 0) process.stderr.write(`isovae encode: ${res.truncated} of ${res.lines} lines were longer than ${model.maxLen - 1} words and were truncated.\n`);
  } finally {
    await model.dispose();
    if (outStream !== process.stdout) {
      outStream.end();
      await once(outStream, 'finish');
    }
  }
}
