import type { ModelConfig } from '../../core/config.ts';
import { Rng } from '../../core/rng.ts';
import { Vocab } from '../../core/vocab.ts';
import type { Dataset, Split } from '../../train/data/index.ts';

/** Random rows of word ids (3..V-1) ending with EOS=2, lengths 1..maxLen. */
export function randomRows(rng: Rng, n: number, V: number, maxLen: number): Int32Array[] {
  return Array.from({ length: n }, () => {
    const len = 1 + Math.floor(rng.next() * maxLen);
    const r = new Int32Array(len);
    for (let t = 0; t < len - 1; t++) r[t] = 3 + Math.floor(rng.next() * (V - 3));
    r[len - 1] = 2;
    return r;
  });
}

export const TINY: ModelConfig = { posterior: 'iso', vocabSize: 23, embeddingDim: 8, hiddenDim: 12, latentDim: 4 };

/** A small in-memory dataset over the words w0..w19 plus unk (V = 24), written for the tests. */
export function tinyDataset(nTrain: number, seed = 1): Dataset {
  const words = [...Array.from({ length: 20 }, (_, i) => `w${i}`), 'unk'];
  const vocab = Vocab.fromWords(words);
  const rng = new Rng(seed);
  const split = (n: number): Split => ({ ids: randomRows(rng, n, vocab.size, 7), labels: new Int32Array(n).map((_, i) => i % 2) });
  const train = split(nTrain);
  const valid = split(8);
  const test = split(8);
  const empty = { rows: 0, kept: 0, empty: 0, truncated: 0, skipped: 0, tokens: 0, unk: 0, lengths: { p50: 0, p90: 0, p99: 0, max: 0 }, source: 'test' };
  return {
    vocab, train, valid, test, classes: ['a', 'b'], name: 'tiny',
    report: { name: 'tiny', splits: { train: empty, valid: empty, test: empty }, notes: [] } as unknown as Dataset['report'],
  };
}
