/** `isovae quantize`, `isovae export --dtype` and `isovae verify` on quantized directories, end to end (in-process). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { run as runExport } from '../../cli/export.ts';
import { run as runQuantize } from '../../cli/quantize.ts';
import { run as runVerify } from '../../cli/verify.ts';
import { fixtureCorpus } from '../browser/fixture-corpus.ts';
import { FIXTURE_MODELS } from '../browser/harness.ts';
import { verifyModel } from '../../export/index.ts';
import { saveTinyCheckpoint } from './fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'isovae-qcli-'));
const sentences = join(root, 'sentences.txt');
writeFileSync(sentences, fixtureCorpus().test.map((r) => r.text).join('\n') + '\n');
const SRC = join(FIXTURE_MODELS, 'dgp');
let logs: string[] = [];
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  logs = [];
  process.exitCode = undefined;
});
const captureLog = () => vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { logs.push(a.join(' ')); });

describe('isovae quantize / verify (int8, fp16)', () => {
  it('quantize writes the variant and prints the contract; verify re-measures it against the fp32 directory', async () => {
    captureLog();
    const out = join(root, 'int8');
    await runQuantize([SRC, out, '--dtype', 'int8', '--sentences', sentences]);
    const text = logs.join('\n');
    expect(text).toMatch(/quantizing .* to int8; measuring on .*sentences\.txt, 60 of 60 lines/);
    expect(text).toMatch(/accuracy of int8 vs fp32 on 60 sentences/);
    expect(text).toContain('accuracy contract: OK');
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).dtype).toBe('int8');
    logs = [];
    await runVerify([SRC, out, '--sentences', sentences]);
    expect(logs.join('\n')).toContain('accuracy contract: OK');
    expect(process.exitCode).toBeUndefined();
    logs = [];
    await runVerify([SRC, out, '--sentences', sentences, '--max-mean-abs-diff', '1e-9']);
    expect(logs.join('\n')).toMatch(/FAIL encoder means: max abs diff .* > 1e-9/);
    expect(process.exitCode).toBe(1);
  });

  it('bad arguments name the flag', async () => {
    await expect(runQuantize([SRC, join(root, 'x'), '--dtype', 'int4'])).rejects.toThrow(/--dtype must be int8 or fp16, got "int4"/);
    await expect(runQuantize([SRC, join(root, 'x'), '--dtype', 'int8', '--min-exact-match', '2'])).rejects.toThrow(/--min-exact-match must be a number in \[0, 1\]/);
    await expect(runQuantize([SRC, SRC, '--dtype', 'int8', '--sentences', sentences])).rejects.toThrow(/output directory must differ/);
    await expect(runQuantize([SRC, join(root, 'y'), '--dtype', 'fp16', '--sentences', join(root, 'missing.txt')])).rejects.toThrow(/missing\.txt: cannot read the sentences file/);
  });

  it('export --dtype int8 converts the validated fp32 export of a checkpoint (an untrained one: loss accepted explicitly)', async () => {
    const ckpt = join(root, 'checkpoint');
    saveTinyCheckpoint(ckpt);
    writeFileSync(join(root, 'words.txt'), 'w1 w2 w3\nw4 w5\nw6 w7 w8 w9\nw10\n');
    captureLog();
    const out = join(root, 'exported-int8');
    await runExport([ckpt, out, '--backend', 'wasm', '--dtype', 'int8', '--sentences', join(root, 'words.txt'), '--allow-accuracy-loss']);
    const text = logs.join('\n');
    expect(text).toMatch(/exported iso model \(int8\)/);
    expect(text).toMatch(/float32 export before conversion:\n[\s\S]*parity: OK/);
    expect(text).toMatch(/accuracy of int8 vs fp32 on 4 sentences/);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.dtype).toBe('int8');
    expect(m.command).toBe('isovae train --test');
    // fp32 parity does not apply to it; verify against the checkpoint re-exports the fp32 reference first
    await expect(verifyModel(ckpt, out)).rejects.toThrow(/a int8 model is checked by its accuracy contract .*verifyQuantized/);
    logs = [];
    await runVerify([ckpt, out, '--backend', 'wasm', '--sentences', join(root, 'words.txt')]);
    expect(logs.join('\n')).toMatch(/float32 export of the checkpoint \(the reference\):\n[\s\S]*parity: OK[\s\S]*accuracy of int8 vs fp32 on 4 sentences/);
  });
});
