import { describe, expect, it } from 'vitest';
import { rowToExamples, splitSentences, tokenize } from '../../core/tokenize.ts';

// Expected token lists are written by hand from the rule documented in core/tokenize.ts.
describe('tokenize', () => {
  it('lower-cases and splits punctuation', () => {
    expect(tokenize('Hello, World!  (Really?)')).toEqual(['hello', ',', 'world', '!', '(', 'really', '?', ')']);
  });

  it('gives the same tokens for raw and PTB-tokenised text', () => {
    const pairs: Array<[string, string]> = [
      ["I don't know, it's fine.", "i do n't know , it 's fine ."],
      ["We can't and won't!", "we ca n't and wo n't !"],
      ["I'm sure you're right, they've said we'll go, I'd guess.", "i 'm sure you 're right , they 've said we 'll go , i 'd guess ."],
      ['He said “hello” today', "he said `` hello '' today"],
      ['The parents’ car', "the parents ' car"],
    ];
    for (const [raw, tok] of pairs) expect(tokenize(raw)).toEqual(tokenize(tok));
    expect(tokenize("I don't")).toEqual(['i', 'do', "n't"]);
  });

  it('keeps intra-word hyphens/apostrophes, numbers, placeholders and single-letter abbreviations', () => {
    expect(tokenize("A self-taught O'Brien's rock'n'roll at o'clock")).toEqual(['a', 'self-taught', "o'brien", "'s", "rock'n'roll", 'at', "o'clock"]);
    expect(tokenize('_num_ stars, $2,000.50 at 10:30 on 1/2')).toEqual(['_num_', 'stars', ',', '$', '2,000.50', 'at', '10:30', 'on', '1/2']);
    expect(tokenize('The U.S. army, e.g. Mr. Smith')).toEqual(['the', 'u.s.', 'army', ',', 'e.g.', 'mr', '.', 'smith']);
    expect(tokenize('wait... what -- no')).toEqual(['wait', '...', 'what', '--', 'no']);
  });

  it('applies NFKC and normalises dashes and quotes', () => {
    expect(tokenize('ﬁne café…')).toEqual(['fine', 'café', '...']); // ligature fi, ellipsis -> "..."
    expect(tokenize('1944–2001 yes—no')).toEqual(['1944-2001', 'yes', '--', 'no']);
    expect(tokenize("'quoted'")).toEqual(["'", 'quoted', "'"]);
    expect(tokenize('  ')).toEqual([]);
  });
});

describe('splitSentences / rowToExamples', () => {
  it('splits on TABs when present', () => {
    expect(splitSentences('First one .\tSecond one .\t')).toEqual(['First one .', 'Second one .']);
  });

  it('splits raw text but not after initials or abbreviations', () => {
    expect(splitSentences('John F. Smith (born 1950) is a writer. He met Dr. Jones in St. Louis! "Why?" she asked.')).toEqual([
      'John F. Smith (born 1950) is a writer.',
      'He met Dr. Jones in St. Louis!',
      '"Why?" she asked.',
    ]);
  });

  it('rowToExamples counts the sentences it leaves out', () => {
    expect(rowToExamples('Ab cd. Ef gh.', 'first')).toEqual({ examples: [['ab', 'cd', '.']], skippedSentences: 1 });
    expect(rowToExamples('Ab cd. Ef gh.', 'all').examples).toEqual([['ab', 'cd', '.'], ['ef', 'gh', '.']]);
    expect(rowToExamples('A b.\tC d.', 'row').examples).toEqual([['a', 'b', '.', 'c', 'd', '.']]);
  });
});
