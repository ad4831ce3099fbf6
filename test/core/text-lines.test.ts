/** The one line reader (core/text-lines.ts): line endings, chunk boundaries, strict and lenient UTF-8. */
import { describe, expect, it } from 'vitest';
import { decodeUtf8Strict, readLines } from '../../core/text-lines.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const bytes = (...xs: number[]) => Uint8Array.from(xs);

/** Feed `data` in chunks of `size` bytes (1 puts every boundary inside lines, CRLFs and multi-byte characters). */
async function* chunks(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

async function collect(data: Uint8Array, size: number, opts: { lenient?: boolean } = {}) {
  const stats = { lines: 0, replacedLines: 0 };
  const out: string[] = [];
  for await (const l of readLines(chunks(data, size), { name: 'in.txt', stats, ...opts })) out.push(l);
  return { out, stats };
}

describe('readLines', () => {
  // Expected lines written by hand from the rule: split at \n, drop one \r right before it, keep lone \r.
  const text = 'a b\r\nc\rd\n\nlast é€𝄞';
  const expected = ['a b', 'c\rd', '', 'last é€𝄞'];
  it.each([1, 2, 3, 7, 1 << 16])('splits on \\n and \\r\\n only, whatever the chunk size (%i bytes)', async (size) => {
    const { out, stats } = await collect(enc(text), size);
    expect(out).toEqual(expected);
    expect(stats).toEqual({ lines: 4, replacedLines: 0 });
  });

  it('a trailing newline adds no empty line; an empty input has no lines; a BOM is removed', async () => {
    expect((await collect(enc('x\n'), 4)).out).toEqual(['x']);
    expect((await collect(enc(''), 4)).out).toEqual([]);
    expect((await collect(enc('\n'), 4)).out).toEqual(['']);
    expect((await collect(bytes(0xef, 0xbb, 0xbf, 0x61, 0x0a, 0x62), 1)).out).toEqual(['a', 'b']);
  });

  it('invalid UTF-8 is an error naming the file, the line and the byte offset', async () => {
    // "ok\n" (3 bytes) + "caf" + latin-1 é (0xE9) at offset 6 on line 2.
    const data = bytes(0x6f, 0x6b, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a, 0x7a);
    for (const size of [1, 4, 100]) {
      await expect(collect(data, size)).rejects.toMatchObject({ code: 'E_DATA_FORMAT', message: expect.stringMatching(/^in\.txt:2: invalid UTF-8 \(byte 0xe9 at offset 6\).*--lenient/) });
    }
  });

  it('--lenient replaces bad bytes with U+FFFD and counts the lines', async () => {
    const data = bytes(0x6f, 0x6b, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a, 0xff, 0xfe, 0x0a, 0x7a);
    const { out, stats } = await collect(data, 3, { lenient: true });
    expect(out).toEqual(['ok', 'caf\uFFFD', '\uFFFD\uFFFD', 'z']);
    expect(stats).toEqual({ lines: 4, replacedLines: 2 });
  });
});

describe('decodeUtf8Strict (the training-data loaders)', () => {
  it('decodes, removes a BOM, and names line and file offset of a bad byte', () => {
    expect(decodeUtf8Strict(bytes(0xef, 0xbb, 0xbf, 0x68, 0x69), 'f')).toBe('hi');
    // BOM (3) + "a\n" (2): the bad byte 0xC0 is at file offset 5, line 2.
    expect(() => decodeUtf8Strict(bytes(0xef, 0xbb, 0xbf, 0x61, 0x0a, 0xc0, 0x80), 'f.csv')).toThrow(/^f\.csv:2: invalid UTF-8 \(byte 0xc0 at offset 5\); re-encode/);
  });
});
