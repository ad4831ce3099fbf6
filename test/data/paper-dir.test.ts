import { afterEach, describe, expect, it } from 'vitest';
import { loadDataset } from '../../train/data/index.ts';
import { expectDataError, makeDir, removeDir } from './helpers.ts';

const opts = { vocabWords: 12000, maxLen: 3, seed: 0 };
const dirs: string[] = [];
const dir = (files: Record<string, string>): string => {
  const d = makeDir(files);
  dirs.push(d);
  return d;
};
afterEach(() => { while (dirs.length) removeDir(dirs.pop() as string); });

const good = {
  'vocab.txt': 'the\ncat\nsat\nunk\ndog\n',
  'train.txt': 'the cat sat\nthe dog sat the cat\n\nunk sat\n',
  'train_class_label.txt': '0\n2\n1\n0\n',
  'valid.txt': 'the dog\n',
  'valid_class_label.txt': '1\n',
  'test.txt': 'cat sat \r\n',
  'test_class_label.txt': '0\r\n',
};

describe('paper directory loader', () => {
  it('uses vocab.txt ids (line + 3) without re-tokenising, labels max + 1 classes', async () => {
    const ds = await loadDataset({ kind: 'dir', path: dir(good) }, opts);
    expect(ds.vocab.words).toEqual(['<pad>', '<bos>', '<eos>', 'the', 'cat', 'sat', 'unk', 'dog']);
    // "the cat sat" -> 3 4 5 EOS; "the dog sat the cat" cut to 3 words; the empty line is dropped and counted
    expect(ds.train.ids.map((x) => Array.from(x))).toEqual([[3, 4, 5, 2], [3, 7, 5, 2], [6, 5, 2]]);
    expect(Array.from(ds.train.labels)).toEqual([0, 2, 0]);
    expect(ds.classes).toEqual(['0', '1', '2']);
    expect(ds.report.splits.train).toMatchObject({ rowsRead: 4, kept: 3, droppedEmpty: 1, truncated: 1, tokens: 8, unkTokens: 1 });
    expect(Array.from(ds.test.ids[0] as Int32Array)).toEqual([4, 5, 2]);
    expect(ds.report.notes.join(' ')).toMatch(/vocabWords=12000 ignored/);
  });

  it('appends unk when vocab.txt lacks it, and carves missing valid/test', async () => {
    const train = Array.from({ length: 30 }, (_, i) => (i % 2 ? 'the cat' : 'dog sat')).join('\n');
    const labels = Array.from({ length: 30 }, (_, i) => String(i % 2)).join('\n');
    const ds = await loadDataset({ kind: 'dir', path: dir({ 'vocab.txt': 'the\ncat\nsat\ndog\n', 'train.txt': train, 'train_class_label.txt': labels }) }, opts);
    expect(ds.vocab.unkId).toBe(7);
    expect([ds.train.ids.length, ds.valid.ids.length, ds.test.ids.length]).toEqual([22, 4, 4]); // 15 lines per label, round(0.1 * 15) = 2 per label per carved split
  });

  it('rejects bad input with code, file and line', async () => {
    const bad = (files: Record<string, string>) => loadDataset({ kind: 'dir', path: dir({ ...good, ...files }) }, opts);
    await expectDataError(loadDataset({ kind: 'dir', path: '/nonexistent/paper' }, opts), 'E_DATA_MISSING', /\/nonexistent\/paper/);
    const noVocab: Record<string, string> = { ...good };
    delete noVocab['vocab.txt'];
    await expectDataError(loadDataset({ kind: 'dir', path: dir(noVocab) }, opts), 'E_DATA_MISSING', /vocab\.txt: vocabulary .* not found/);
    await expectDataError(bad({ 'train.txt': 'the cat\nthe bird\n', 'train_class_label.txt': '0\n0\n' }), 'E_DATA_FORMAT', /train\.txt:2: word "bird" is not in vocab\.txt/);
    await expectDataError(bad({ 'valid.txt': 'the <eos> cat\n' }), 'E_DATA_FORMAT', /valid\.txt:1: special token "<eos>"/);
    await expectDataError(bad({ 'valid_class_label.txt': '' }), 'E_DATA_FORMAT', /valid\.txt:1: row without a label/);
    await expectDataError(bad({ 'test_class_label.txt': '\n' }), 'E_DATA_FORMAT', /test_class_label\.txt:1: row without a label/);
    await expectDataError(bad({ 'test_class_label.txt': 'one\n' }), 'E_DATA_FORMAT', /test_class_label\.txt:1: label "one"/);
    await expectDataError(bad({ 'test_class_label.txt': '0\n1\n' }), 'E_DATA_FORMAT', /test_class_label\.txt:2: more labels/);
    await expectDataError(bad({ 'vocab.txt': 'the\ncat\nthe\n' }), 'E_VOCAB', /vocab\.txt:3: "the" duplicates line 1/);
    await expectDataError(bad({ 'vocab.txt': 'the\n\ncat\n' }), 'E_VOCAB', /vocab\.txt:2: empty line/);
    await expectDataError(bad({ 'test.txt': '\n', 'test_class_label.txt': '0\n' }), 'E_DATA_EMPTY', /test split/);
    await expectDataError(bad({ 'classes.txt': 'a\nb\n' }), 'E_DATA_FORMAT', /train_class_label\.txt:2: unknown label 2/);
  });
});
