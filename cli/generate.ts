import { parseArgs } from 'node:util';
import { loadModel } from '../runtime/index.ts';
import type { IsovaeModel } from '../runtime/model.ts';
import type { Decoded } from '../runtime/types.ts';
import { inputLines, intArg, loadOptionsFrom, MODEL_OPTIONS } from './encode.ts';

const USAGE = `Usage: isovae generate <model-dir> <mode> [texts...] [options]

Greedy generation with an exported model (one output line per result):
  sample       decode z ~ N(0, I) from the prior          --n <count> (default 10) --seed <s> (default 0)
  reconstruct  encode each text (posterior mean) and decode it back
  impute       complete each prefix (paper Table 1)       --mode intended|faithful (default intended)
               intended: z from prefix + <eos>; faithful: the paper code (no <eos>, z = mean bias)
  interpolate  decode a linear homotopy between two texts --steps <n> (default 6)
Texts are the positional arguments, or lines of --input <file|-> (reconstruct, impute).

Options:
  --max-len <n>        maximum generated tokens per row, <eos> included (default: the model's maxLen)
  --json               one JSON object per line {"text","ids","finished"} instead of plain text
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
      json: { type: 'boolean' },
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
  if (values.input !== undefined) for await (const line of inputLines(values.input)) texts.push(line);
  const req: GenerateRequest = { mode: mode as Mode, texts };
  if (values.n !== undefined) req.n = intArg(values.n, '--n', 0);
  if (values.seed !== undefined) req.seed = intArg(values.seed, '--seed', 0);
  if (values.steps !== undefined) req.steps = intArg(values.steps, '--steps', 2);
  if (values['max-len'] !== undefined) req.maxLen = intArg(values['max-len'], '--max-len', 1);
  if (values.mode !== undefined) req.imputeMode = values.mode as 'intended' | 'faithful';
  const model = await loadModel(dir, loadOptionsFrom(values));
  try {
    const out = await generateTexts(model, req);
    const lines = out.map((d) => (values.json ? JSON.stringify({ text: d.text, ids: Array.from(d.ids), finished: d.finished }) : d.text));
    process.stdout.write(lines.map((l) => l + '\n').join(''));
  } finally {
    await model.dispose();
  }
}
