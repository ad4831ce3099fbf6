/** `isovae export` and `isovae verify` end to end on a checkpoint written by train/checkpoint.ts. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { run as runExport } from '../../cli/export.ts';
import { run as runVerify } from '../../cli/verify.ts';
import { verifyModel } from '../../export/index.ts';
import { saveTinyCheckpoint } from './fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'isovae-cli-'));
const ckpt = join(root, 'checkpoint');
let logs: string[] = [];

beforeAll(() => saveTinyCheckpoint(ckpt));
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  vi.restoreAllMocks();
  logs = [];
});
const captureLog = () => vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { logs.push(a.join(' ')); });

describe('isovae export / verify', () => {
  it('exports a checkpoint, prints the parity table, and verify passes on cpu', async () => {
    captureLog();
    const out = join(root, 'model');
    await runExport([ckpt, out, '--backend', 'wasm']);
    expect(logs.join('\n')).toMatch(/exported iso model .*encoder \(encoder\.onnx\), decoder_step \(decoder_step\.onnx\), encoder_fused/);
    expect(logs.join('\n')).toContain('parity: OK');
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.command).toBe('isovae train --test');
    expect(manifest.training.hiddenDim).toBe(6);
    expect(manifest.maxLen).toBe(9);
    expect(manifest.dataset.name).toBe('made-up');
    logs = [];
    await runVerify([ckpt, out]);
    const text = logs.join('\n');
    expect(text).toContain('execution provider: cpu');
    expect(text).toMatch(/greedy decode: 64\/64 sentences identical, token agreement 100\.00%/);
    expect(text).toContain('parity: OK');
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('export --triton writes the Loop graph (checked at export time) and a Triton repository; verify checks the Loop too', async () => {
    captureLog();
    const out = join(root, 'model-triton');
    const repo = join(root, 'triton-repo');
    await runExport([ckpt, out, '--backend', 'wasm', '--triton', repo, '--triton-name', 'tiny', '--triton-kind', 'cpu']);
    const text = logs.join('\n');
    expect(text).toMatch(/decoder_greedy \(decoder_greedy\.onnx\)/);
    expect(text).toMatch(/decoder_greedy +tokens .* ok/);
    expect(text).toContain(`Triton model repository in ${repo}: tiny_encoder, tiny_generate`);
    expect(readFileSync(join(repo, 'tiny_generate', 'config.pbtxt'), 'utf8')).toContain('kind: KIND_CPU');
    logs = [];
    await runVerify([ckpt, out]);
    expect(logs.join('\n')).toMatch(/decoder_greedy +tokens .* ok/);
    expect(logs.join('\n')).toContain('parity: OK');
    await expect(runExport([ckpt, join(root, 'x'), '--backend', 'wasm', '--triton', repo, '--triton-kind', 'tpu'])).rejects.toThrow(/--triton-kind/);
  });

  it('verify rejects a model directory whose files were changed', async () => {
    captureLog();
    const out = join(root, 'model2');
    await runExport([ckpt, out, '--no-fused', '--no-validate']);
    writeFileSync(join(out, 'vocab.txt'), 'x\n');
    await expect(verifyModel(ckpt, out)).rejects.toMatchObject({ code: 'E_VOCAB' });
  });

  it('verify asks for CUDA explicitly: a clear E_PROVIDER error when the CUDA EP is not installed', async () => {
    captureLog();
    const out = join(root, 'model3');
    await runExport([ckpt, out, '--no-validate']);
    // This machine has no CUDA EP; where it has one, the call succeeds and checks parity on it.
    const res = await verifyModel(ckpt, out, { providers: ['cuda'] }).then((t) => t, (e: unknown) => e);
    if (res instanceof Error) expect(res).toMatchObject({ code: 'E_PROVIDER', message: expect.stringContaining('ONNXRUNTIME_NODE_INSTALL=cuda12') });
    else expect(res).toMatchObject({ ok: true });
  });

  it('usage errors name the problem', async () => {
    await expect(runExport([ckpt])).rejects.toThrow(/expected <checkpoint> <out-dir>/);
    await expect(runExport([ckpt, root, '--recurrence', 'while'])).rejects.toThrow(/--recurrence must be scan or loop/);
    await expect(runVerify([ckpt, root, '--provider', 'tpu'])).rejects.toThrow(/--provider must be cpu or cuda/);
    captureLog();
    await runExport(['--help']);
    expect(logs.join('\n')).toContain('Usage: isovae export');
  });
});
