import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../runtime/index.ts';

// The committed int8 variant of the browser tests' tiny fixture model (the shipped models come in fp32 only).
const INT8 = join(dirname(fileURLToPath(import.meta.url)), '../browser/fixtures/models/igp/int8');

describe('int8 models pick the primitive encoder on cpu', () => {
  it('by default (the fused LSTM op has no integer kernel), and the fused one only when asked', async () => {
    const byDefault = await loadModel(INT8, { threads: 1 });
    const fused = await loadModel(INT8, { threads: 1, useFusedEncoder: true });
    try {
      expect(byDefault.fusedEncoder).toBe(false);
      expect(fused.fusedEncoder).toBe(true);
      const text = ['the jury said it was pleased .', 'he looked at the old house and smiled .'];
      const [a, b] = [await byDefault.encode(text), await fused.encode(text)];
      // Both carry the same int8 weights; the primitive graph also quantizes activations, so means agree closely, not exactly.
      for (let r = 0; r < 2; r++) {
        const x = a.mean.subarray(r * a.k, (r + 1) * a.k);
        const y = b.mean.subarray(r * b.k, (r + 1) * b.k);
        let dot = 0, nx = 0, ny = 0;
        for (let i = 0; i < x.length; i++) { dot += x[i]! * y[i]!; nx += x[i]! ** 2; ny += y[i]! ** 2; }
        expect(dot / Math.sqrt(nx * ny)).toBeGreaterThan(0.999);
      }
    } finally {
      await byDefault.dispose();
      await fused.dispose();
    }
  });
});
