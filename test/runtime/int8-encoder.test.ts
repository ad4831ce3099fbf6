import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantizeModelDir } from '../../export/quantize-dir.ts';
import { loadModel } from '../../runtime/index.ts';

// The browser tests' tiny fixture model (fp32) and its committed int8 variant (weight-only, the one the demo uses).
const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../browser/fixtures/models/igp');
const root = mkdtempSync(join(tmpdir(), 'isovae-int8-encoder-'));
const DYNAMIC = join(root, 'dynamic');
beforeAll(async () => {
  await quantizeModelDir(FIXTURE, DYNAMIC, { dtype: 'int8', int8Scheme: 'dynamic', sentences: null });
}, 60_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function cosine(x: Float32Array, y: Float32Array): number {
  let dot = 0, nx = 0, ny = 0;
  for (let i = 0; i < x.length; i++) { dot += x[i]! * y[i]!; nx += x[i]! ** 2; ny += y[i]! ** 2; }
  return dot / Math.sqrt(nx * ny);
}

describe('the encoder an int8 model loads on cpu', () => {
  it('dynamic int8: the primitive encoder by default (the fused LSTM op has no integer kernel), the fused one only when asked', async () => {
    const byDefault = await loadModel(DYNAMIC, { threads: 1 });
    const fused = await loadModel(DYNAMIC, { threads: 1, useFusedEncoder: true });
    try {
      expect(byDefault.fusedEncoder).toBe(false);
      expect(fused.fusedEncoder).toBe(true);
      const text = ['the jury said it was pleased .', 'he looked at the old house and smiled .'];
      const [a, b] = [await byDefault.encode(text), await fused.encode(text)];
      // Both carry the same int8 weights; the primitive graph also quantizes activations, so means agree closely, not exactly.
      for (let r = 0; r < 2; r++) expect(cosine(a.mean.subarray(r * a.k, (r + 1) * a.k), b.mean.subarray(r * b.k, (r + 1) * b.k))).toBeGreaterThan(0.999);
    } finally {
      await byDefault.dispose();
      await fused.dispose();
    }
  });

  it('weight-only int8: the fused encoder by default (float arithmetic after folding), same means as the primitive one', async () => {
    const byDefault = await loadModel(join(FIXTURE, 'int8'), { threads: 1 });
    const primitive = await loadModel(join(FIXTURE, 'int8'), { threads: 1, useFusedEncoder: false });
    try {
      expect(byDefault.manifest.quantization?.scheme).toMatch(/^int8-weight-only/);
      expect(byDefault.fusedEncoder).toBe(true);
      expect(primitive.fusedEncoder).toBe(false);
      const text = ['the jury said it was pleased .', 'he looked at the old house and smiled .'];
      const [a, b] = [await byDefault.encode(text), await primitive.encode(text)];
      // the same float32 weights after folding, two LSTM implementations: float32 rounding only
      for (let i = 0; i < a.mean.length; i++) expect(Math.abs(a.mean[i]! - b.mean[i]!)).toBeLessThan(1e-5);
    } finally {
      await byDefault.dispose();
      await primitive.dispose();
    }
  });
});
