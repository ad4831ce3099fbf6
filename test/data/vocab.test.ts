import { describe, expect, it } from 'vitest';
import { IsovaeError } from '../../core/errors.ts';
import { buildVocab, Vocab } from '../../core/vocab.ts';
import { expectDataError } from './helpers.ts';

describe('Vocab', () => {
  const v = Vocab.fromWords(['the', 'cat', 'unk', 'sat']);

  it('maps words to ids, unknown words to unk, and encodes with EOS', () => {
    expect(v.size).toBe(7);
    expect(v.words.slice(0, 3)).toEqual(['<pad>', '<bos>', '<eos>']);
    expect(v.unkId).toBe(5);
    expect(v.idOf('cat')).toBe(4);
    expect(v.idOf('dog')).toBe(5);
    expect(Array.from(v.encodeTokens(['the', 'dog', 'sat']))).toEqual([3, 5, 6, 2]);
    expect(Array.from(v.encodeTokens(['the', 'dog', 'sat'], 2))).toEqual([3, 5, 2]); // maxLen counts words
    expect(v.decodeIds([3, 4, 6, 2, 3])).toEqual(['the', 'cat', 'sat']);
    expect(v.decodeIds([0, 1, 3])).toEqual(['<pad>', '<bos>', 'the']);
    expect(() => v.decodeIds([99])).toThrow(RangeError);
  });

  it('round-trips through the model text format (CRLF accepted)', () => {
    const text = v.toText();
    expect(text).toBe('<pad>\n<bos>\n<eos>\nthe\ncat\nunk\nsat\n');
    expect(Vocab.fromText(text, 'v.txt').words).toEqual(v.words);
    expect(Vocab.fromText(text.replace(/\n/g, '\r\n'), 'v.txt').words).toEqual(v.words);
  });

  it('rejects malformed model-format files naming file and line', async () => {
    await expectDataError(() => Vocab.fromText('<pad>\n<bos>\nthe\nunk\n', 'm.txt'), 'E_VOCAB', /m\.txt:3: expected "<eos>"/);
    await expectDataError(() => Vocab.fromText('<pad>\n<bos>\n<eos>\nthe\n\nunk\n', 'm.txt'), 'E_VOCAB', /m\.txt:5: empty line/);
    await expectDataError(() => Vocab.fromText('<pad>\n<bos>\n<eos>\nthe\nunk\nthe\n', 'm.txt'), 'E_VOCAB', /m\.txt:6: "the" duplicates line 4/);
    await expectDataError(() => Vocab.fromText('<pad>\n<bos>\n<eos>\nthe\n', 'm.txt'), 'E_VOCAB', /m\.txt: .*"unk" is missing/);
    await expectDataError(() => Vocab.fromText('', 'm.txt'), 'E_VOCAB', /m\.txt: .*empty/);
  });

  it('reads the paper format (id = line + 3) and rejects specials', async () => {
    const p = Vocab.fromPaperText('the  \ncat\nunk\n', 'p.txt');
    expect(p.idOf('the')).toBe(3);
    expect(p.unkId).toBe(5);
    expect(Vocab.fromPaperText('the\ncat\n', 'p.txt', { addUnk: true }).unkId).toBe(5);
    await expectDataError(() => Vocab.fromPaperText('the\n<eos>\nunk\n', 'p.txt'), 'E_VOCAB', /p\.txt:2: "<eos>" is a reserved/);
    await expectDataError(() => Vocab.fromPaperText('the\ncat\n', 'p.txt'), 'E_VOCAB', /p\.txt: .*"unk" is missing/);
    expect(() => Vocab.fromPaperText('a\na\nunk\n', 'p.txt')).toThrow(IsovaeError);
  });
});

describe('buildVocab', () => {
  // Hand count: a x3, b x2, c x2, d x1, unk x0.
  const sents = [['a', 'b', 'c'], ['a', 'c', 'b'], ['a', 'd']];

  it('keeps the top K by count, ties alphabetical, and always includes unk', () => {
    expect(buildVocab(sents, 4).words.slice(3)).toEqual(['a', 'b', 'c', 'unk']); // d dropped to make room for unk
    expect(buildVocab(sents, 10).words.slice(3)).toEqual(['a', 'b', 'c', 'd', 'unk']);
    expect(buildVocab([['z', 'unk', 'unk'], ['y']], 2).words.slice(3)).toEqual(['unk', 'y']); // y < z alphabetically
    expect(buildVocab([['c', 'b', 'a']], 3).words.slice(3)).toEqual(['a', 'b', 'unk']);
  });
});
