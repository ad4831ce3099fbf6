import type { AccuracyThresholds } from '../export/accuracy.ts';
import { DEFAULT_INT8_SCHEME, type Int8Scheme } from '../core/dtype.ts';

/** The accuracy-contract flags shared by `isovae quantize`, `export --dtype` and `verify` (help text). */
export const ACCURACY_USAGE = `Accuracy contract (int8 / fp16 vs fp32; defaults in brackets; a failed threshold is an error):
  --sentences <file>        sentences to measure on, one per line [the model's test split]
  --max-sentences <n>       at most n sentences, evenly spaced [1000]
  --min-cosine <x>          mean cosine of the encoder means [0.999]
  --max-mean-abs-diff <x>   max abs diff of the encoder means [not checked]
  --min-exact-match <x>     fraction of reconstructions with identical tokens [int8 0.80, fp16 0.95]
  --min-token-agreement <x> fraction of agreeing reconstruction tokens [int8 0.90, fp16 0.98]
  --max-bleu2-drop <x>      drop of reconstruction BLEU-2 as a fraction (0.01 = 1 point) [0.01]
  --max-au-change <n>       change of active units [0]
  --allow-accuracy-loss     write the model even if a threshold fails (recorded in its manifest)`;

/** parseArgs option declarations of {@link ACCURACY_USAGE}. */
export const ACCURACY_OPTIONS = {
  sentences: { type: 'string' },
  'max-sentences': { type: 'string' },
  'min-cosine': { type: 'string' },
  'max-mean-abs-diff': { type: 'string' },
  'min-exact-match': { type: 'string' },
  'min-token-agreement': { type: 'string' },
  'max-bleu2-drop': { type: 'string' },
  'max-au-change': { type: 'string' },
  'allow-accuracy-loss': { type: 'boolean', default: false },
} as const;

const FLAG_FIELDS: Array<[string, keyof AccuracyThresholds, number, number]> = [
  ['min-cosine', 'minMeanCosine', -1, 1],
  ['max-mean-abs-diff', 'maxMeanAbsDiff', 0, Infinity],
  ['min-exact-match', 'minExactMatch', 0, 1],
  ['min-token-agreement', 'minTokenAgreement', 0, 1],
  ['max-bleu2-drop', 'maxBleu2Drop', -1, 1],
  ['max-au-change', 'maxActiveUnitChange', 0, Infinity],
];

/** Threshold overrides and sentence options from parsed flags; RangeError naming a bad flag. */
export function parseAccuracyFlags(cmd: string, values: Record<string, unknown>): {
  thresholds: Partial<AccuracyThresholds>; sentencesFile?: string; maxSentences?: number; allowAccuracyLoss: boolean;
} {
  const thresholds: Partial<AccuracyThresholds> = {};
  for (const [flag, field, lo, hi] of FLAG_FIELDS) {
    const v = values[flag];
    if (typeof v !== 'string') continue;
    const x = Number(v);
    if (v.trim() === '' || Number.isNaN(x) || x < lo || x > hi) throw new RangeError(`${cmd}: --${flag} must be a number in [${lo}, ${hi}], got "${v}".`);
    thresholds[field] = x;
  }
  const out: ReturnType<typeof parseAccuracyFlags> = { thresholds, allowAccuracyLoss: values['allow-accuracy-loss'] === true };
  if (typeof values.sentences === 'string') out.sentencesFile = values.sentences;
  if (typeof values['max-sentences'] === 'string') {
    const n = Number(values['max-sentences']);
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`${cmd}: --max-sentences must be an integer >= 2, got "${values['max-sentences']}".`);
    out.maxSentences = n;
  }
  return out;
}

/**
 * The `--scheme` and `--block-size` flags of `isovae quantize` / `export`: scheme `weight-only` (the default) or
 * `dynamic`, int8 only; block size an integer >= 1, weight-only only; `--reduce-range` dynamic only. Throws
 * RangeError naming the command, the flag and the value.
 */
export function parseInt8Flags(command: string, values: { scheme?: string | undefined; 'block-size'?: string | undefined; 'reduce-range'?: boolean | undefined }, dtype: string | undefined): { int8Scheme: Int8Scheme; blockSize?: number } {
  const s = values.scheme ?? DEFAULT_INT8_SCHEME;
  if (s !== 'dynamic' && s !== 'weight-only') throw new RangeError(`${command}: --scheme must be weight-only or dynamic, got ${JSON.stringify(s)}.`);
  if (values.scheme !== undefined && dtype !== 'int8') throw new RangeError(`${command}: --scheme ${s} is an int8 scheme; use it with --dtype int8 (got --dtype ${dtype ?? 'unset'}).`);
  if (values['reduce-range'] && s !== 'dynamic') throw new RangeError(`${command}: --reduce-range (7-bit weights) applies to --scheme dynamic only; weight-only int8, the default, does no integer arithmetic.`);
  const b = values['block-size'];
  if (b === undefined) return { int8Scheme: s };
  if (s !== 'weight-only') throw new RangeError(`${command}: --block-size applies to --scheme weight-only only.`);
  const n = Number(b);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${command}: --block-size must be an integer >= 1, got ${JSON.stringify(b)}.`);
  return { int8Scheme: s, blockSize: n };
}
