import { describe, expect, it } from 'vitest';
import { firstInvalidUtf8 } from '../../train/data/read-text.ts';

// Offsets by hand from the UTF-8 definition (RFC 3629): C0 80 is an overlong NUL, ED A0 80 encodes the
// surrogate U+D800, F4 90 80 80 is above U+10FFFF, a lone E2 82 at the end is truncated.
describe('firstInvalidUtf8', () => {
  const b = (...xs: number[]) => Uint8Array.from(xs);
  it('accepts valid text and finds the first bad byte', () => {
    expect(firstInvalidUtf8(new TextEncoder().encode('café € 𝄞'))).toBe(new TextEncoder().encode('café € 𝄞').length);
    expect(firstInvalidUtf8(b(0x61, 0xc0, 0x80))).toBe(1);
    expect(firstInvalidUtf8(b(0x61, 0x62, 0xed, 0xa0, 0x80))).toBe(2);
    expect(firstInvalidUtf8(b(0xf4, 0x90, 0x80, 0x80))).toBe(0);
    expect(firstInvalidUtf8(b(0x61, 0xe2, 0x82))).toBe(1);
    expect(firstInvalidUtf8(b(0x80))).toBe(0);
  });
});
