/** checkParity / exportFromSource against the independent float64 reference (no tfjs involved). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportFromSource } from '../../export/export-model.ts';
import { sha256Hex } from '../../export/manifest.ts';
import { formatParityTable } from '../../export/parity-types.ts';
import { checkParity } from '../../export/validate.ts';
import { writeModelDir } from '../../export/write-model-dir.ts';
import { float64Reference, tinySource } from './fixtures.ts';
import { randomWeights } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'isovae-parity-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('export-time parity', () => {
  it.each(['iso', 'diag', 'ae'] as const)('%s: passes on the shape grid with identical greedy decodes', async (posterior) => {
    const src = tinySource(posterior, 5, 9);
    const { parity } = await exportFromSource(src, join(root, posterior), float64Reference(src.model, src.weights));
    expect(parity!.ok).toBe(true);
    const cpu = parity!.providers[0]!;
    expect(cpu.provider).toBe('cpu');
    const names = cpu.outputs.map((o) => `${o.graph}/${o.output}`).sort();
    const expected = ['decoder_step/c_out', 'decoder_step/h_out', 'decoder_step/logits', 'decoder_step/next_token', 'encoder/mean', 'encoder_fused/mean'];
    if (posterior !== 'ae') expected.push('encoder/logvar', 'encoder_fused/logvar');
    expect(names).toEqual(expected.sort());
    for (const o of cpu.outputs) expect(o.maxAbsDiff, `${o.graph}/${o.output}`).toBeLessThanOrEqual(1e-4);
    // 3 batches x 3 lengths per encoder output, 3 batches per decoder output
    expect(cpu.outputs.find((o) => o.output === 'mean')!.cases).toBe(9);
    expect(cpu.greedy).toEqual({ sentences: 64, identical: 64, tokenAgreement: 100 });
    expect(formatParityTable(parity!)).toContain('parity: OK');
  });

  it('with greedyGraph: decoder_greedy (ONNX Loop) gives the step-by-step tokens on every greedy sentence', async () => {
    const src = tinySource('iso', 7, 9);
    const { manifest, parity } = await exportFromSource(src, join(root, 'loop'), float64Reference(src.model, src.weights), { greedyGraph: true });
    expect(manifest.graphs.decoder_greedy?.outputs.map((o) => o.name)).toEqual(['tokens', 'lengths', 'finished']);
    expect(parity!.ok).toBe(true);
    const row = parity!.providers[0]!.outputs.find((o) => o.graph === 'decoder_greedy');
    expect(row).toMatchObject({ output: 'tokens', cases: 64, mismatches: 0, maxAbsDiff: 0 });
  });

  it('fails with E_EXPORT_PARITY and the max abs diff per output when the graphs differ', async () => {
    const src = tinySource('iso', 6, 9);
    const other = randomWeights(src.model, 99); // the reference is a different model
    const err = await exportFromSource(src, join(root, 'bad'), float64Reference(src.model, other)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_EXPORT_PARITY' });
    const msg = (err as Error).message;
    for (const out of ['encoder/mean', 'encoder/logvar', 'decoder_step/logits', 'greedy decode']) expect(msg).toContain(out);
    expect(msg).toMatch(/max abs diff \d\.\d+e[+-]\d+ > atol 0.0001/);
  });

  it('detects a single perturbed output head only in the affected outputs', async () => {
    const src = tinySource('diag', 7, 9);
    const manifest = await writeModelDir(src, join(root, 'head'));
    const shifted = src.weights['logvar/bias']!.data.map((v, i) => (i === 2 ? v + 0.01 : v));
    const table = await checkParity(join(root, 'head'), manifest, float64Reference(src.model, { ...src.weights, 'logvar/bias': { shape: [4], data: shifted } }));
    expect(table.ok).toBe(false);
    const cpu = table.providers[0]!;
    const diff = (name: string) => cpu.outputs.find((o) => `${o.graph}/${o.output}` === name)!.maxAbsDiff;
    // Reference logvar[2] was shifted by 0.01 (float32 rounding allows ~1e-9 slack).
    expect(diff('encoder/logvar')).toBeCloseTo(0.01, 6);
    expect(diff('encoder/mean')).toBeLessThanOrEqual(1e-4);
    expect(diff('decoder_step/logits')).toBeLessThanOrEqual(1e-4);
    expect(cpu.greedy.identical).toBe(64);
  });

  it('rejects a graph file whose sha256 does not match the manifest', async () => {
    const src = tinySource('iso', 8, 9);
    const dir = join(root, 'corrupt');
    const manifest = await writeModelDir(src, dir);
    writeFileSync(join(dir, 'encoder.onnx'), new Uint8Array([1, 2, 3]));
    await expect(checkParity(dir, manifest, float64Reference(src.model, src.weights))).rejects.toMatchObject({ code: 'E_MODEL_FILE' });
  });

  it('reports a graph onnxruntime cannot load as a failure and still checks the others', async () => {
    const src = tinySource('iso', 8, 9);
    const dir = join(root, 'unloadable');
    const manifest = await writeModelDir(src, dir);
    const junk = new Uint8Array([8, 8, 1, 2, 3]);
    writeFileSync(join(dir, 'encoder_fused.onnx'), junk);
    const patched = { ...manifest, graphs: { ...manifest.graphs, encoder_fused: { ...manifest.graphs.encoder_fused!, sha256: sha256Hex(junk) } } };
    const table = await checkParity(dir, patched, float64Reference(src.model, src.weights));
    expect(table.ok).toBe(false);
    expect(table.providers[0]!.failures).toEqual([expect.stringMatching(/^encoder_fused: onnxruntime failed on cpu: /)]);
    expect(table.providers[0]!.greedy.identical).toBe(64);
  });
});
