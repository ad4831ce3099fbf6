/** `--scheme` / `--block-size` of isovae quantize and export (cli/accuracy-flags.ts): values and usage errors. */
import { describe, expect, it } from 'vitest';
import { parseInt8Flags } from '../../cli/accuracy-flags.ts';

describe('parseInt8Flags', () => {
  it('defaults to the weight-only scheme (ignored for fp16); weight-only takes an optional block size', () => {
    expect(parseInt8Flags('isovae quantize', {}, 'int8')).toEqual({ int8Scheme: 'weight-only' });
    expect(parseInt8Flags('isovae quantize', {}, 'fp16')).toEqual({ int8Scheme: 'weight-only' });
    expect(parseInt8Flags('isovae quantize', { scheme: 'dynamic' }, 'int8')).toEqual({ int8Scheme: 'dynamic' });
    expect(parseInt8Flags('isovae export', { scheme: 'weight-only', 'block-size': '8' }, 'int8')).toEqual({ int8Scheme: 'weight-only', blockSize: 8 });
  });

  it('names the command, the flag and the value of a bad combination', () => {
    expect(() => parseInt8Flags('isovae quantize', { scheme: 'int4' }, 'int8')).toThrow(/^isovae quantize: --scheme must be weight-only or dynamic, got "int4"\.$/);
    expect(() => parseInt8Flags('isovae export', { scheme: 'dynamic' }, 'fp16')).toThrow(/isovae export: --scheme dynamic is an int8 scheme; use it with --dtype int8 \(got --dtype fp16\)/);
    expect(() => parseInt8Flags('isovae quantize', { scheme: 'dynamic', 'block-size': '16' }, 'int8')).toThrow(/--block-size applies to --scheme weight-only only/);
    expect(() => parseInt8Flags('isovae quantize', { 'reduce-range': true }, 'int8')).toThrow(/--reduce-range \(7-bit weights\) applies to --scheme dynamic only/);
    expect(parseInt8Flags('isovae quantize', { scheme: 'dynamic', 'reduce-range': true }, 'int8')).toEqual({ int8Scheme: 'dynamic' });
    for (const bad of ['0', '2.5', 'x']) {
      expect(() => parseInt8Flags('isovae quantize', { scheme: 'weight-only', 'block-size': bad }, 'int8')).toThrow(`--block-size must be an integer >= 1, got "${bad}"`);
    }
  });
});
