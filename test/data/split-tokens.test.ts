/**
 * train/data loadSplitTokens: the token lists behind a dataset's encoded rows, whatever the vocabulary size
 * and truncation (what `isovae evaluate` relies on to give every model the trainer's test sentences).
 */
import { describe, expect, it } from 'vitest';
import { loadDataset, loadSplitTokens } from '../../train/data/index.ts';
import { makeDir, removeDir } from './helpers.ts';

describe('loadSplitTokens', () => {
  it('Brown: row i of every split encodes to row i of loadDataset, for two vocabulary sizes', async () => {
    const tokens = await loadSplitTokens({ kind: 'brown' }, { seed: 0 });
    for (const vocabWords of [500, 3000]) {
      const ds = await loadDataset({ kind: 'brown' }, { vocabWords, maxLen: 20, seed: 0 });
      for (const split of ['train', 'valid', 'test'] as const) {
        expect(tokens.splits[split]).toHaveLength(ds[split].ids.length);
        expect(Array.from(tokens.labels[split])).toEqual(Array.from(ds[split].labels));
        const bad = tokens.splits[split].findIndex((t, i) => ds.vocab.encodeTokens(t, 20).join() !== ds[split].ids[i]!.join());
        expect(bad, `${split} row ${bad}`).toBe(-1);
      }
    }
    // Not truncated: some test sentence is longer than maxLen.
    expect(Math.max(...tokens.splits.test.map((t) => t.length))).toBeGreaterThan(20);
  });

  it('CSV with a carved test split: the same rows as loadDataset, empty rows dropped', async () => {
    const rows = ['the cat sat .', 'a dog', '...', 'red house', 'the big tree', 'dog ran', '"   "', 'blue mat', 'a cat', 'tree'];
    const dir = makeDir({ 'train.csv': `label,text\n${rows.map((r, i) => `${i % 2},${r}`).join('\n')}\n` });
    try {
      const tokens = await loadSplitTokens({ kind: 'csv', path: dir }, { seed: 3 });
      const ds = await loadDataset({ kind: 'csv', path: dir }, { vocabWords: 4, maxLen: 2, seed: 3 });
      for (const split of ['train', 'valid', 'test'] as const) {
        expect(tokens.splits[split].map((t) => ds.vocab.encodeTokens(t, 2).join())).toEqual(ds[split].ids.map((r) => r.join()));
      }
      expect(tokens.name).toBe(ds.name);
      const all = [...tokens.splits.train, ...tokens.splits.valid, ...tokens.splits.test];
      expect(all).toHaveLength(rows.length - 1); // the blank text has no token
      expect(all.every((t) => t.length > 0)).toBe(true);
    } finally {
      removeDir(dir);
    }
  });
});
