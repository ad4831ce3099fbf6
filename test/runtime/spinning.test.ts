import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { loadModelFrom } from '../../runtime/load.ts';
import { dirSource, nodePlatform } from '../../runtime/node.ts';
import type { Ort } from '../../runtime/types.ts';
import { tinyModel } from './fixture.ts';

/** onnxruntime-node with every session's options recorded. */
function recordingOrt(): { ort: Ort; options: unknown[] } {
  const options: unknown[] = [];
  const create = (bytes: Uint8Array, opts: unknown) => {
    options.push(opts);
    return (ortNode.InferenceSession.create as (b: Uint8Array, o: unknown) => Promise<unknown>)(bytes, opts);
  };
  return { ort: { InferenceSession: { create } as unknown as Ort['InferenceSession'], Tensor: ortNode.Tensor as unknown as Ort['Tensor'] }, options };
}

describe('spinning option (isovae serve turns spin-waiting off)', () => {
  const fx = tinyModel('diag', { seed: 5 });

  it('spinning: false reaches onnxruntime as allow_spinning = 0 for every session, and results do not change', async () => {
    const spin = recordingOrt();
    const quiet = recordingOrt();
    const a = await loadModelFrom(nodePlatform(spin.ort), dirSource(fx.dir), { threads: 2 });
    const b = await loadModelFrom(nodePlatform(quiet.ort), dirSource(fx.dir), { threads: 2, spinning: false });
    try {
      expect(spin.options.length).toBeGreaterThanOrEqual(2);
      expect(quiet.options.length).toBe(spin.options.length);
      for (const o of spin.options) expect((o as { extra?: unknown }).extra).toBeUndefined();
      for (const o of quiet.options) {
        expect(o).toMatchObject({ intraOpNumThreads: 2, extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } });
      }
      const text = ['the cat sat', 'a dog'];
      const [ra, rb] = [await a.encode(text), await b.encode(text)];
      expect(Array.from(rb.mean)).toEqual(Array.from(ra.mean));
      expect((await b.reconstruct(text)).map((r) => r.text)).toEqual((await a.reconstruct(text)).map((r) => r.text));
    } finally {
      await a.dispose();
      await b.dispose();
    }
  });
});
