import { EOS_ID, NUM_SPECIAL } from '../core/special.ts';
import { tokenize } from '../core/tokenize.ts';
import type { Vocab } from '../core/vocab.ts';

/** One input row as encoder ids: word ids then exactly one `<eos>`, no padding. */
export interface TextIds {
  ids: Int32Array;
  /** True if words beyond `maxWords` were dropped. */
  truncated: boolean;
}

/**
 * Text -> word ids + `<eos>` with the model's tokenizer (core/tokenize.ts).
 * - Out-of-vocabulary words map to the vocabulary word `unk`. Text that would tokenize to a
 *   special token (`<pad>`, `<bos>`, `<eos>`) is also mapped to `unk`, so every row has exactly one EOS.
 * - Empty or whitespace-only text encodes as the single token `<eos>`.
 * - More than `maxWords` words: the first `maxWords` are kept (then `<eos>`) and `truncated` is set.
 * With `withEos` false (faithful imputation prefixes, decoder teacher forcing) no `<eos>` is appended.
 */
export function textToIds(vocab: Vocab, text: string, maxWords: number, withEos = true): TextIds {
  if (typeof text !== 'string') throw new TypeError(`text must be a string (got ${typeof text}).`);
  const words = tokenize(text);
  const truncated = words.length > maxWords;
  const kept = truncated ? words.slice(0, maxWords) : words;
  const ids = new Int32Array(kept.length + (withEos ? 1 : 0));
  for (let i = 0; i < kept.length; i++) {
    const id = vocab.idOf(kept[i]!);
    ids[i] = id < NUM_SPECIAL ? vocab.unkId : id;
  }
  if (withEos) ids[kept.length] = EOS_ID;
  return { ids, truncated };
}

/**
 * Check caller-supplied id rows for the encoder (the contract's `Split` row format: word ids then
 * one `<eos>`). A row without a final `<eos>` gets one appended; rows longer than `maxWords` words
 * are truncated. Throws `RangeError` for ids outside [3, V) before the end, or an `<eos>` mid-row.
 */
export function checkIdRow(row: ArrayLike<number>, index: number, vocabSize: number, maxWords: number): TextIds {
  if (row === null || typeof row !== 'object' || typeof row.length !== 'number') {
    throw new TypeError(`encode: input ${index} must be a string or an array of token ids.`);
  }
  let n = row.length;
  if (n > 0 && row[n - 1] === EOS_ID) n--;
  for (let i = 0; i < n; i++) {
    const id = row[i]!;
    if (!Number.isInteger(id) || id < NUM_SPECIAL || id >= vocabSize) {
      throw new RangeError(
        `encode: input ${index} token ${i} is ${id}; word ids must be integers in [${NUM_SPECIAL}, ${vocabSize}) with one <eos> (${EOS_ID}) at the end only.`,
      );
    }
  }
  const truncated = n > maxWords;
  const kept = truncated ? maxWords : n;
  const ids = new Int32Array(kept + 1);
  for (let i = 0; i < kept; i++) ids[i] = row[i]!;
  ids[kept] = EOS_ID;
  return { ids, truncated };
}
