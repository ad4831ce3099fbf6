import { readFile } from 'node:fs/promises';
import type { TrainConfig } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import { loadDataset } from '../train/data/index.ts';

/** Sentences for the accuracy contract (export/accuracy.ts) and where they came from. */
export interface ContractSentences {
  /** Texts (a user file) or id rows (word ids then `<eos>`, the model's own test split). */
  inputs: Array<string | Int32Array>;
  source: string;
}

/** Default number of sentences the contract is measured on. */
export const DEFAULT_CONTRACT_SENTENCES = 1000;

/**
 * The sentences of the accuracy contract: the non-empty lines of `file` when given; otherwise the test
 * split of the data the model was trained on (`training` from the manifest or checkpoint; its vocabulary
 * must be the model's `vocabText`). At most `max` (default 1000) sentences, evenly spaced over the source
 * (deterministic). Throws IsovaeError('E_DATA_MISSING') with what to pass instead when neither is usable.
 */
export async function contractSentences(opts: { file?: string | undefined; training: unknown; vocabText: string; max?: number }): Promise<ContractSentences> {
  const max = opts.max ?? DEFAULT_CONTRACT_SENTENCES;
  if (!Number.isInteger(max) || max < 2) throw new RangeError(`sentences: the maximum must be an integer >= 2 (got ${max}).`);
  if (opts.file) {
    const text = await readFile(opts.file, 'utf8').catch((e: Error) => {
      throw new IsovaeError('E_DATA_MISSING', `${opts.file}: cannot read the sentences file (${e.message}).`, { cause: e });
    });
    const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
    if (lines.length < 2) throw new IsovaeError('E_DATA_EMPTY', `${opts.file}: needs at least 2 non-empty lines (one sentence per line), found ${lines.length}.`);
    const picked = spread(lines, max);
    return { inputs: picked, source: `${opts.file}, ${picked.length} of ${lines.length} lines` };
  }
  // The manifest's `training` is not validated by readers: take only a config that names its data.
  const t = typeof opts.training === 'object' && opts.training !== null && 'data' in opts.training ? (opts.training as TrainConfig) : null;
  const hint = 'pass --sentences <file> (one sentence per line) to measure on your own sentences';
  if (!t?.data) throw new IsovaeError('E_DATA_MISSING', `the model records no training data to take test sentences from; ${hint}.`);
  let ds;
  try {
    ds = await loadDataset(t.data, { vocabWords: t.vocabWords, maxLen: t.maxLen, seed: t.dataSeed });
  } catch (e) {
    throw new IsovaeError('E_DATA_MISSING', `cannot load the model's training data ${JSON.stringify(t.data)} for its test split (${(e as Error).message}); ${hint}.`, { cause: e });
  }
  if (ds.vocab.toText() !== opts.vocabText) {
    throw new IsovaeError('E_VOCAB', `the training data ${JSON.stringify(t.data)} now gives another vocabulary than the model's (the data changed since training); ${hint}.`);
  }
  const picked = spread(ds.test.ids, max);
  return { inputs: picked, source: `test split of ${ds.name}, ${picked.length} of ${ds.test.ids.length} sentences` };
}

/** At most `max` items evenly spaced over `xs` (all of them when there are fewer). */
function spread<T>(xs: readonly T[], max: number): T[] {
  if (xs.length <= max) return [...xs];
  const stride = xs.length / max;
  return Array.from({ length: max }, (_, i) => xs[Math.floor(i * stride)]!);
}
