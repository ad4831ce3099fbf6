/** What reaches the top of the CLI is one line with a code (cli/errors.ts). */
import { describe, expect, it } from 'vitest';
import { IsovaeError } from '../../core/errors.ts';
import { describeError } from '../../cli/errors.ts';
import { OutputClosed } from '../../cli/output.ts';

describe('describeError', () => {
  it('a domain error: its message and code on one line, exit 1', () => {
    expect(describeError('encode', new IsovaeError('E_INPUT', '--input "x": no such file.'), false)).toEqual({ text: 'isovae encode: --input "x": no such file. [E_INPUT]', exitCode: 1 });
  });

  it('a system error: its first line and errno code', () => {
    const err = Object.assign(new Error("EACCES: permission denied, open '/root/x'"), { code: 'EACCES' });
    expect(describeError('export', err, false)).toEqual({ text: "isovae export: EACCES: permission denied, open '/root/x' [EACCES]", exitCode: 1 });
  });

  it('an unexpected library error: first line only, E_INTERNAL, no source or stack; --debug adds the stack', () => {
    // What an uncaught tfjs error looks like: a short message and a stack into a 30 KB minified line.
    const err = new Error('Argument tensors passed to stack must be a `Tensor[]`\n' + 'x'.repeat(30_000));
    err.stack = `Error: Argument tensors...\n    at tfjs-core.node.js:1:${'y'.repeat(30_000)}`;
    const { text, exitCode } = describeError('train', err, false);
    expect(exitCode).toBe(1);
    expect(text!.split('\n')).toHaveLength(1);
    expect(text).toMatch(/^isovae train: internal error: Error: Argument tensors passed to stack must be a `Tensor\[\]` \[E_INTERNAL\] \(rerun with --debug/);
    expect(text!.length).toBeLessThan(600);
    expect(describeError('train', err, true).text).toContain('tfjs-core.node.js');
  });

  it('a usage error that already names the command does not repeat it', () => {
    expect(describeError('quantize', new RangeError('isovae quantize: --scheme must be weight-only or dynamic, got "x".'), false).text)
      .toBe('isovae quantize: --scheme must be weight-only or dynamic, got "x".\n(see isovae quantize --help)');
  });

  it('usage errors exit 2; a pipe closed by its reader exits 0 silently', () => {
    expect(describeError('generate', new RangeError('--n must be an integer >= 0 (got "x").'), false)).toEqual({ text: 'isovae generate: --n must be an integer >= 0 (got "x").\n(see isovae generate --help)', exitCode: 2 });
    expect(describeError('generate', new OutputClosed('standard output'), false)).toEqual({ text: null, exitCode: 0 });
  });
});
