import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeModelDir } from '../../export/write-model-dir.ts';
import { fakeVocab, tinySource } from './fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'isovae-export-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

describe('model directory', () => {
  it('re-exports byte-identically (every file, incl. manifest), also from copied weights', async () => {
    const src = tinySource('iso', 3);
    const copy = { ...src, weights: Object.fromEntries(Object.entries(src.weights).map(([k, t]) => [k, { shape: [...t!.shape], data: t!.data.slice() }])) };
    await writeModelDir(src, join(root, 'a'));
    await writeModelDir(copy, join(root, 'b'));
    const files = readdirSync(join(root, 'a')).sort();
    expect(files).toEqual(['decoder_step.onnx', 'encoder.onnx', 'encoder_fused.onnx', 'manifest.json', 'vocab.txt']);
    expect(readdirSync(join(root, 'b')).sort()).toEqual(files);
    for (const f of files) expect(sha(readFileSync(join(root, 'b', f))), f).toBe(sha(readFileSync(join(root, 'a', f))));
  });

  it('different weights give different graph bytes', async () => {
    await writeModelDir(tinySource('iso', 4), join(root, 'c'));
    expect(sha(readFileSync(join(root, 'c', 'encoder.onnx')))).not.toBe(sha(readFileSync(join(root, 'a', 'encoder.onnx'))));
  });

  it('writes the manifest of the contract with correct sha256 and IO', async () => {
    const m = await writeModelDir(tinySource('diag'), join(root, 'd'), { fusedEncoder: false });
    const onDisk = JSON.parse(readFileSync(join(root, 'd', 'manifest.json'), 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(m)));
    expect(m.format).toBe('isovae-model');
    expect(m.formatVersion).toBe(1);
    expect(m.special).toEqual({ pad: 0, bos: 1, eos: 2, unk: 3 });
    expect(m.vocab).toEqual({ file: 'vocab.txt', size: 29, sha256: sha(readFileSync(join(root, 'd', 'vocab.txt'))) });
    expect(m.exporter).toEqual({ name: 'isovae', version: '0.1.0', opset: 17, irVersion: 8 });
    expect(m.graphs.encoder_fused).toBeUndefined();
    for (const g of [m.graphs.encoder, m.graphs.decoder_step]) expect(g.sha256).toBe(sha(readFileSync(join(root, 'd', g.file))));
    expect(m.graphs.encoder.inputs).toEqual([{ name: 'tokens', dtype: 'int32', shape: ['batch', 'seq'] }]);
    expect(m.graphs.encoder.outputs.map((o) => [o.name, o.shape])).toEqual([['mean', ['batch', 4]], ['logvar', ['batch', 4]]]);
    expect(m.graphs.decoder_step.outputs.map((o) => `${o.name}:${o.dtype}:${o.shape.join('x')}`))
      .toEqual(['logits:float32:batchx29', 'next_token:int32:batch', 'h_out:float32:batchx6', 'c_out:float32:batchx6']);
    expect(m.metrics).toEqual({ rec: 1.5 });
  });

  it('AE: no logvar output; stale encoder_fused.onnx is removed', async () => {
    await writeModelDir(tinySource('ae'), join(root, 'e'));
    const m = await writeModelDir(tinySource('ae'), join(root, 'e'), { fusedEncoder: false });
    expect(m.graphs.encoder.outputs.map((o) => o.name)).toEqual(['mean']);
    expect(readdirSync(join(root, 'e'))).not.toContain('encoder_fused.onnx');
  });

  it('rejects a vocabulary that does not match the model', async () => {
    await expect(writeModelDir({ ...tinySource('iso'), vocab: fakeVocab(10) }, join(root, 'f'))).rejects.toMatchObject({ code: 'E_VOCAB' });
  });
});
