import { parseArgs } from 'node:util';
import { loadModel } from '../runtime/index.ts';
import type { IsovaeModel } from '../runtime/model.ts';
import type { Decoded } from '../runtime/types.ts';
import { Rng } from '../core/rng.ts';
import { intArg, loadOptionsFrom, MODEL_OPTIONS } from './encode.ts';
import { inputLines, lenientNote } from './input.ts';
import { yieldToEventLoop } from './interrupt.ts';
import { withOutput, type TextSink } from './output.ts';

const USAGE = `Usage: isovae generate <model-dir> <mode> [texts...] [options]

Greedy generation with an exported model (one output line per result):
  sample       decode z ~ N(0, I) from the prior          --n <count> (default 10) --seed <s> (default 0)
  reconstruct  encode each text (posterior mean) and decode it back
  impute       complete each prefix (paper Table 1)       --mode intended|faithful (default intended)
               intended: z from prefix + <eos>; faithful: the paper code (no <eos>, z = mean bias)
  interpolate  decode a linear homotopy between two texts --steps <n> (default 6)
Texts are the positional arguments, or lines of --input <file|-> (reconstruct, impute).

Output is streamed batch by batch (memory is bounded for any --n or input size).

Options:
  --max-len <n>        maximum generated tokens per row, <eos> included (default: the model's maxLen)
  --json               one JSON object per line {"text","ids","finished"} instead of plain text
  --output <file|->    output file, "-" for stdout (default -); a file is written under a temporary
                       name and renamed when complete
  --batch <n>          rows decoded per batch (default 128)
  --lenient            replace invalid UTF-8 in --input with U+FFFD (counted) instead of failing
  --provider <list>    execution providers, comma-separated: cpu, cuda (default cpu)
  --strict             fail instead of falling back when a provider is unavailable
  --threads <n>        onnxruntime intra-op threads (default: all cores)
  -h, --help           show this help`;

const MODES = ['sample', 'reconstruct', 'impute', 'interpolate'] as const;
type Mode = (typeof MODES)[number];

/** Options of `generateTexts` (the library call behind the command). */
export interface GenerateRequest {
  mode: Mode;
  texts: string[];
  n?: number;
  seed?: number;
  steps?: number;
  imputeMode?: 'intended' | 'faithful';
  maxLen?: number;
}

/** Run one generation request on a loaded model; RangeError on a bad request. */
export async function generateTexts(model: IsovaeModel, req: GenerateRequest): Promise<Decoded[]> {
  const dec = req.maxLen === undefined ? {} : { maxLen: req.maxLen };
  switch (req.mode) {
    case 'sample':
      if (req.texts.length > 0) throw new RangeError('generate sample: takes no texts (use --n and --seed).');
      return model.decode(model.sample(req.n ?? 10, { seed: req.seed ?? 0 }), dec);
    case 'reconstruct':
      return model.reconstruct(req.texts, dec);
    case 'impute':
      return model.impute(req.texts, { ...dec, mode: req.imputeMode ?? 'intended' });
    case 'interpolate': {
      if (req.texts.length !== 2) throw new RangeError(`generate interpolate: needs exactly two texts (got ${req.texts.length}).`);
      return (await model.interpolate(req.texts[0]!, req.texts[1]!, { ...dec, steps: req.steps ?? 6 })).decoded;
    }
  }
}

/** Options of `generateStream`. */
export interface StreamOptions {
  /** Write JSON objects instead of plain text. */
  json: boolean;
  /** Rows decoded per batch (memory bound). */
  batch: number;
  /** Stop after the batch in progress when aborted. */
  signal?: AbortSignal;
}

/**
 * Run `req` batch by batch and write one line per result to `out` as each batch completes: `sample` draws
 * `n` rows in batches from one seeded stream (the same z as `model.sample(n, { seed })`), `reconstruct` and
 * `impute` take `req.texts` then the lines of `input`. Memory holds one batch. Returns the rows written and
 * whether `signal` stopped it early.
 */
export async function generateStream(
  model: IsovaeModel, req: GenerateRequest, input: AsyncIterable<string> | null, out: TextSink, opts: StreamOptions,
): Promise<{ rows: number; interrupted: boolean }> {
  let rows = 0;
  const emit = async (decoded: Decoded[]): Promise<boolean> => {
    await out.write(decoded.map((d) => (opts.json ? JSON.stringify({ text: d.text, ids: Array.from(d.ids), finished: d.finished }) : d.text) + '\n').join(''));
    rows += decoded.length;
    await yieldToEventLoop();
    return opts.signal?.aborted ?? false;
  };
  const dec = req.maxLen === undefined ? {} : { maxLen: req.maxLen };
  if (req.mode === 'sample') {
    if (req.texts.length > 0 || input) throw new RangeError('generate sample: takes no texts (use --n and --seed).');
    const n = req.n ?? 10;
    const seed = req.seed ?? 0;
    if (!Number.isSafeInteger(seed)) throw new RangeError(`--seed must be an integer (got ${seed}).`);
    const rng = new Rng(seed); // the stream model.sample(n, { seed }) draws from, consumed batch by batch
    for (let done = 0; done < n;) {
      const m = Math.min(opts.batch, n - done);
      const z = new Float32Array(m * model.latentDim);
      for (let i = 0; i < z.length; i++) z[i] = rng.normal();
      done += m;
      if ((await emit(await model.decode(z, dec))) && done < n) return { rows, interrupted: true };
    }
    return { rows, interrupted: false };
  }
  if (req.mode === 'interpolate') {
    const texts = [...req.texts];
    if (input) for await (const line of input) if (texts.push(line) > 2) break;
    await emit(await generateTexts(model, { ...req, texts }));
    return { rows, interrupted: false };
  }
  const run = (texts: string[]) => generateTexts(model, { ...req, texts });
  let pending = [...req.texts];
  const lines = input ?? (async function* () {})();
  for await (const line of lines) {
    pending.push(line);
    if (pending.length >= opts.batch) {
      const stop = await emit(await run(pending));
      pending = [];
      if (stop) return { rows, interrupted: true };
    }
  }
  if (pending.length > 0) await emit(await run(pending));
  return { rows, interrupted: false };
}

/** `isovae generate <model-dir> sample|reconstruct|impute|interpolate [texts...] [options]` */
export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      n: { type: 'string' },
      seed: { type: 'string' },
      steps: { type: 'string' },
      mode: { type: 'string' },
      'max-len': { type: 'string' },
      input: { type: 'string' },
      output: { type: 'string', default: '-' },
      batch: { type: 'string', default: '128' },
      json: { type: 'boolean' },
      lenient: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const [dir, mode, ...texts] = positionals;
  if (dir === undefined || mode === undefined) throw new RangeError(`isovae generate: expected <model-dir> <mode>.\n\n${USAGE}`);
  if (!MODES.includes(mode as Mode)) throw new RangeError(`isovae generate: unknown mode "${mode}"; valid: ${MODES.join(', ')}.`);
  if (values.mode !== undefined && values.mode !== 'intended' && values.mode !== 'faithful') {
    throw new RangeError(`--mode must be intended or faithful (got "${values.mode}").`);
  }
  const req: GenerateRequest = { mode: mode as Mode, texts };
  if (values.n !== undefined) req.n = intArg(values.n, '--n', 0);
  if (values.seed !== undefined) req.seed = intArg(values.seed, '--seed', 0);
  if (values.steps !== undefined) req.steps = intArg(values.steps, '--steps', 2);
  if (values['max-len'] !== undefined) req.maxLen = intArg(values['max-len'], '--max-len', 1);
  if (values.mode !== undefined) req.imputeMode = values.mode as 'intended' | 'faithful';
  const batch = intArg(values.batch, '--batch', 1);
  const loadOpts = loadOptionsFrom(values);
  const stats = { lines: 0, replacedLines: 0 };
  const input = values.input === undefined ? null : inputLines(values.input, { lenient: values.lenient ?? false, stats });
  await withOutput('generate', values.output, values.input === undefined ? [] : [values.input], async (out, signal) => {
    const model = await loadModel(dir, loadOpts);
    try {
      return await generateStream(model, req, input, out, { json: values.json ?? false, batch, signal });
    } finally {
      await model.dispose();
    }
  });
  const note = lenientNote('generate', stats);
  if (note) process.stderr.write(note + '\n');
}
