/**
 * Export never leaves a loadable model after a failure and never leaves stale files after a success
 * (export/atomic-dir.ts, write-model-dir.ts); NaN/Inf weights are refused before anything is written;
 * `verify` names a checkpoint/model pair that is not the same run.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportFromSource } from '../../export/export-model.ts';
import { otherRunHint } from '../../export/parity-types.ts';
import { checkParity } from '../../export/validate.ts';
import { writeModelDir } from '../../export/write-model-dir.ts';
import { float64Reference, tinySource } from './fixtures.ts';
import { randomWeights } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'isovae-atomic-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
/** Entries of `root` (staging directories are hidden siblings of the target, so they would show here). */
const siblings = () => readdirSync(root).sort();

describe('atomic export', () => {
  it('refuses NaN / Inf weights before writing anything, naming the tensor', async () => {
    const src = tinySource('iso', 3);
    const bad = { ...src, weights: { ...src.weights, 'decoder/kernel': { ...src.weights['decoder/kernel']!, data: src.weights['decoder/kernel']!.data.map((v, i) => (i === 4 ? NaN : i === 7 ? Infinity : v)) } } };
    const before = siblings();
    const out = join(root, 'nan');
    await expect(exportFromSource(bad, out, float64Reference(src.model, src.weights))).rejects.toMatchObject({
      code: 'E_NOT_FINITE', message: expect.stringContaining('decoder/kernel: 1 NaN, 1 Inf (first at flat index 4)'),
    });
    await expect(writeModelDir(bad, out)).rejects.toMatchObject({ code: 'E_NOT_FINITE' });
    expect(siblings()).toEqual(before);
  });

  it('a parity failure leaves no model directory, and an earlier model in place untouched', async () => {
    const src = tinySource('iso', 4);
    const out = join(root, 'kept');
    await writeModelDir(src, out);
    const manifestBefore = readFileSync(join(out, 'manifest.json'), 'utf8');
    const other = tinySource('iso', 5);
    const before = siblings();
    await expect(exportFromSource(other, out, float64Reference(src.model, randomWeights(src.model, 77)))).rejects.toMatchObject({ code: 'E_EXPORT_PARITY', message: expect.stringContaining('Nothing was written') });
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(manifestBefore);
    expect(siblings()).toEqual(before);
    const fresh = join(root, 'never');
    await expect(exportFromSource(other, fresh, float64Reference(src.model, randomWeights(src.model, 77)))).rejects.toMatchObject({ code: 'E_EXPORT_PARITY' });
    expect(existsSync(fresh)).toBe(false);
  });

  it('a successful export replaces the whole directory: no stale files (map.json of the previous model is not kept)', async () => {
    const out = join(root, 'replace');
    await writeModelDir(tinySource('iso', 6), out);
    writeFileSync(join(out, 'map.json'), '{"points":[]}\n'); // what scripts/ship-models.ts adds after an export
    const src = tinySource('iso', 8);
    await exportFromSource(src, out, float64Reference(src.model, src.weights), { fusedEncoder: false });
    expect(readdirSync(out).sort()).toEqual(['decoder_step.onnx', 'encoder.onnx', 'manifest.json', 'vocab.txt']);
    expect(siblings().filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('refuses a target that is a file or a directory with other content', async () => {
    const file = join(root, 'file.onnx');
    writeFileSync(file, 'x');
    await expect(writeModelDir(tinySource('iso'), file)).rejects.toMatchObject({ code: 'E_OUTPUT', message: expect.stringContaining('is a file') });
    const docs = join(root, 'docs');
    mkdirSync(docs);
    writeFileSync(join(docs, 'thesis.tex'), 'precious');
    await expect(writeModelDir(tinySource('iso'), docs)).rejects.toMatchObject({ code: 'E_OUTPUT', message: expect.stringContaining('not a model directory') });
    expect(readdirSync(docs)).toEqual(['thesis.tex']);
  });
});

describe('verify against another run', () => {
  it('says the checkpoint and the model are probably not the same run when most outputs fail', async () => {
    const src = tinySource('diag', 9);
    const dir = join(root, 'verify');
    const manifest = await writeModelDir(src, dir);
    const same = await checkParity(dir, manifest, float64Reference(src.model, src.weights));
    expect(otherRunHint(same)).toBeNull();
    const other = await checkParity(dir, manifest, float64Reference(src.model, randomWeights(src.model, 123)));
    expect(otherRunHint(other)).toMatch(/^\d+ of \d+ outputs differ: the checkpoint and the model are probably not the same run/);
    // One perturbed head (an exporter-bug-like failure) is not blamed on the checkpoint.
    const shifted = src.weights['logvar/bias']!.data.map((v, i) => (i === 2 ? v + 0.01 : v));
    const one = await checkParity(dir, manifest, float64Reference(src.model, { ...src.weights, 'logvar/bias': { shape: [4], data: shifted } }));
    expect(one.ok).toBe(false);
    expect(otherRunHint(one)).toBeNull();
  });
});
