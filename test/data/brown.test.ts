import { describe, expect, it } from 'vitest';
import { EOS_ID } from '../../core/special.ts';
import { tokenize } from '../../core/tokenize.ts';
import { loadDataset, untagBrown } from '../../train/data/index.ts';

describe('Brown corpus loader', () => {
  it('untags a sentence line and tokenises it like raw text', () => {
    const line = "\tThe/at jury/nn didn't/dod* say/vb ``/`` no/at ''/'' about/in 1/2/cd of/in Atlanta's/np$ ./.";
    expect(untagBrown(line)).toBe("The jury didn't say `` no '' about 1/2 of Atlanta's .");
    expect(tokenize(untagBrown(line))).toEqual(['the', 'jury', 'did', "n't", 'say', '"', 'no', '"', 'about', '1/2', 'of', 'atlanta', "'s", '.']);
  });

  it('loads 15 genres with non-empty splits, deterministic across loads', async () => {
    const opts = { vocabWords: 2000, maxLen: 30, seed: 0 };
    const a = await loadDataset({ kind: 'brown' }, opts);
    expect(a.classes).toHaveLength(15);
    expect(a.classes[0]).toBe('news');
    expect(a.vocab.size).toBe(2003);
    for (const split of [a.train, a.valid, a.test]) {
      expect(split.ids.length).toBeGreaterThan(1000);
      expect(split.labels.length).toBe(split.ids.length);
      // every genre appears in every split (stratified by file)
      expect(new Set(split.labels).size).toBe(15);
      for (const row of split.ids.slice(0, 200)) {
        expect(row.at(-1)).toBe(EOS_ID);
        expect(row.length).toBeLessThanOrEqual(31);
      }
    }
    const r = a.report.splits;
    expect(r.train.rowsRead + r.valid.rowsRead + r.test.rowsRead).toBeGreaterThan(50000);
    expect(r.train.kept).toBe(a.train.ids.length);
    const b = await loadDataset({ kind: 'brown' }, opts);
    expect(b.vocab.words).toEqual(a.vocab.words);
    expect(b.test.ids.length).toBe(a.test.ids.length);
    expect(b.test.ids.every((x, i) => x.join(',') === (a.test.ids[i] as Int32Array).join(','))).toBe(true);
    expect(Array.from(b.train.labels)).toEqual(Array.from(a.train.labels));
  });
});
