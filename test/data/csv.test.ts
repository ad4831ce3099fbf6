import { afterEach, describe, expect, it } from 'vitest';
import { EOS_ID } from '../../core/special.ts';
import { parseCsv } from '../../train/data/csv.ts';
import { loadDataset } from '../../train/data/index.ts';
import { formatDataReport } from '../../train/data/report.ts';
import { expectDataError, makeDir, removeDir } from './helpers.ts';

const opts = { vocabWords: 50, maxLen: 4, seed: 0 };
const dirs: string[] = [];
const dir = (files: Record<string, string | Uint8Array>): string => {
  const d = makeDir(files);
  dirs.push(d);
  return d;
};
afterEach(() => { while (dirs.length) removeDir(dirs.pop() as string); });

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, embedded commas/newlines and CRLF', () => {
    const recs = parseCsv('label,text\r\n0,"a, ""b""\r\nc"\r\n1,plain\r\n', 'x.csv');
    expect(recs).toEqual([
      { fields: ['label', 'text'], line: 1 },
      { fields: ['0', 'a, "b"\r\nc'], line: 2 },
      { fields: ['1', 'plain'], line: 4 },
    ]);
  });

  it('rejects malformed quoting with file:line', async () => {
    await expectDataError(() => parseCsv('label,text\n0,"open\n1,x\n', 'x.csv'), 'E_DATA_FORMAT', /x\.csv:2: quoted field never closed/);
    await expectDataError(() => parseCsv('label,text\n0,ok\n0,"a"b\n', 'x.csv'), 'E_DATA_FORMAT', /x\.csv:3: unexpected "b" after a closing quote/);
    await expectDataError(() => parseCsv('label,text\n0,a"b\n', 'x.csv'), 'E_DATA_FORMAT', /x\.csv:2: a quote .* inside an unquoted field/);
  });
});

describe('CSV directory loader', () => {
  const good = {
    'train.csv': 'label,text\r\n0,The cat sat on the mat.\r\n1,"Dogs bark, loudly!"\r\n0,The cat ran.\r\n\r\n1,Birds sing.\tThey fly high.\r\n',
    'valid.csv': 'label,text\n0,The cat sat on the hat today.\n1,...\n',
    'test.csv': 'label,text\n1,Dogs sing.\n',
    'classes.txt': '0\tfeline\n1\tother\n',
  };

  it('loads splits, classes, vocab, truncation and counts', async () => {
    const ds = await loadDataset({ kind: 'csv', path: dir(good) }, opts);
    expect(ds.classes).toEqual(['feline', 'other']);
    expect(ds.train.ids.length).toBe(4);
    expect(Array.from(ds.train.labels)).toEqual([0, 1, 0, 1]);
    // "the cat sat on the mat ." -> 7 words, cut to maxLen 4: the cat sat on + EOS
    expect(ds.vocab.decodeIds(ds.train.ids[0] as Int32Array)).toEqual(['the', 'cat', 'sat', 'on']);
    expect((ds.train.ids[0] as Int32Array).at(-1)).toBe(EOS_ID);
    // default mode "first": "Birds sing.\tThey fly high." keeps "birds sing ." and counts one skipped sentence
    expect(ds.vocab.decodeIds(ds.train.ids[3] as Int32Array)).toEqual(['birds', 'sing', '.']);
    const r = ds.report.splits;
    expect(r.train).toMatchObject({ rowsRead: 4, blankLines: 1, sentencesSkipped: 1, kept: 4, truncated: 2, droppedEmpty: 0 });
    expect(r.valid).toMatchObject({ rowsRead: 2, kept: 2, truncated: 1 }); // "..." is one token, kept
    // test "dogs sing ." -> every word occurs in train -> unk rate 0
    expect(r.test.unkRate).toBe(0);
    // valid "the cat sat on" (after truncation) is known; "..." never occurs in train -> 1 unk of 5 tokens
    expect(r.valid).toMatchObject({ tokens: 5, unkTokens: 1 });
    expect(formatDataReport(ds.report)).toMatch(/train\s+4\s+4\s+0\s+2/);
  });

  it('"all" mode makes one example per sentence; "row" keeps the row', async () => {
    const all = await loadDataset({ kind: 'csv', path: dir(good) }, { ...opts, sentences: 'all' });
    expect(all.train.ids.length).toBe(5);
    const row = await loadDataset({ kind: 'csv', path: dir(good) }, { ...opts, maxLen: 20, sentences: 'row' });
    expect(row.vocab.decodeIds(row.train.ids[3] as Int32Array)).toEqual(['birds', 'sing', '.', 'they', 'fly', 'high', '.']);
  });

  it('carves missing valid/test from train deterministically, stratified by label', async () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i % 2},word${i} common`).join('\n');
    const path = dir({ 'train.csv': `label,text\n${rows}\n` });
    const a = await loadDataset({ kind: 'csv', path }, opts);
    const b = await loadDataset({ kind: 'csv', path }, opts);
    // 20 rows per label, round(0.1 * 20) = 2 per label per carved split -> 4 valid, 4 test, 32 train
    expect([a.train.ids.length, a.valid.ids.length, a.test.ids.length]).toEqual([32, 4, 4]);
    expect(Array.from(a.test.labels).sort()).toEqual([0, 0, 1, 1]);
    expect(a.test.ids.map((x) => Array.from(x))).toEqual(b.test.ids.map((x) => Array.from(x)));
    expect(a.report.notes.join(' ')).toMatch(/carved 4 rows/);
    const c = await loadDataset({ kind: 'csv', path }, { ...opts, seed: 1 });
    const trainText = (d: typeof a) => d.train.ids.map((x) => d.vocab.decodeIds(x).join(' '));
    expect(trainText(c)).not.toEqual(trainText(a)); // a different seed holds out different rows
  });

  it('maps files with opts.files (e.g. a pool without train.csv)', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i % 3},w${i}`).join('\n');
    const path = dir({ 'pool.csv': `label,text\n${rows}\n`, 'valid.csv': 'label,text\n0,x\n' });
    const ds = await loadDataset({ kind: 'csv', path }, { ...opts, files: { train: 'pool.csv', test: null } });
    expect([ds.train.ids.length, ds.valid.ids.length, ds.test.ids.length]).toEqual([27, 1, 3]);
    expect(ds.classes).toEqual(['0', '1', '2']);
  });

  it('rejects each kind of bad input with code, file and line', async () => {
    const bad = (files: Record<string, string | Uint8Array>) => loadDataset({ kind: 'csv', path: dir({ ...good, ...files }) }, opts);
    await expectDataError(loadDataset({ kind: 'csv', path: '/nonexistent/isovae' }, opts), 'E_DATA_MISSING', /\/nonexistent\/isovae/);
    await expectDataError(loadDataset({ kind: 'csv', path: dir({ 'valid.csv': good['valid.csv'] }) }, opts), 'E_DATA_MISSING', /train\.csv: training split not found/);
    await expectDataError(bad({ 'test.csv': 'label,text\n' }), 'E_DATA_EMPTY', /test split \(test\.csv\) has no usable rows/);
    await expectDataError(bad({ 'test.csv': 'label,text\n0,   \n' }), 'E_DATA_EMPTY', /test split.*1 rows read, 1 empty/);
    await expectDataError(bad({ 'valid.csv': 'label,text\n0,ok\n,no label here\n' }), 'E_DATA_FORMAT', /valid\.csv:3: row without a label/);
    await expectDataError(bad({ 'valid.csv': 'label,text\n0,ok\njust text\n' }), 'E_DATA_FORMAT', /valid\.csv:3: row without a label/);
    await expectDataError(bad({ 'valid.csv': 'label,text\n0,ok\nx1,text\n' }), 'E_DATA_FORMAT', /valid\.csv:3: label "x1" is not a non-negative integer/);
    await expectDataError(bad({ 'test.csv': 'label,text\n0,ok\n\n7,text\n' }), 'E_DATA_FORMAT', /test\.csv:4: unknown label 7; .*classes\.txt lists ids 0, 1/);
    await expectDataError(bad({ 'test.csv': 'label,text\n0,a,b\n' }), 'E_DATA_FORMAT', /test\.csv:2: 3 fields/);
    await expectDataError(bad({ 'test.csv': 'id,sentence\n0,a\n' }), 'E_DATA_FORMAT', /test\.csv:1: expected the header "label,text"/);
    await expectDataError(bad({ 'valid.csv': 'label,text\n0,"unterminated\n1,x\n' }), 'E_DATA_FORMAT', /valid\.csv:2: quoted field never closed/);
    // 0xE9 alone (latin-1 "é") on line 3 is not UTF-8; offset = 11 ('label,text\n') + 5 ('0,ok\n') + 5 ('1,caf') = 21
    const latin1 = Uint8Array.from([...Buffer.from('label,text\n0,ok\n1,caf'), 0xe9, ...Buffer.from('\n')]);
    await expectDataError(bad({ 'valid.csv': latin1 }), 'E_DATA_FORMAT', /valid\.csv:3: invalid UTF-8 \(byte 0xe9 at offset 21\)/);
    await expectDataError(bad({ 'classes.txt': '0\tfeline\n0\tdup\n' }), 'E_DATA_FORMAT', /classes\.txt:2: class id 0 listed twice/);
  });
});
