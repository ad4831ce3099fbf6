import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../runtime/sha256.ts';

describe('sha256Hex (plain-JS fallback of the web runtime)', () => {
  it('equals node:crypto on lengths around the 64-byte block and padding boundaries', () => {
    // Reference: node:crypto's SHA-256 (OpenSSL) on the same bytes.
    for (const n of [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 100_003]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
      expect(sha256Hex(bytes), `length ${n}`).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('hashes a subarray view by its own bytes only', () => {
    const big = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const view = big.subarray(17, 217);
    expect(sha256Hex(view)).toBe(createHash('sha256').update(view).digest('hex'));
  });

  it('matches the FIPS 180-2 "abc" test vector', () => {
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
