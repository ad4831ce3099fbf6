/**
 * Export-time parity against the trainer's tfjs model (train/model.ts) on the wasm backend:
 * onnxruntime-node CPU vs TfModel on the grid batch {1,3,17} x length {1,7,maxLen}, atol 1e-4,
 * and 64 greedy decodes through decoder_step vs TfModel.greedyDecode.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { Posterior } from '../../core/config.ts';
import { Rng } from '../../core/rng.ts';
import type { Weights } from '../../core/weights.ts';
import { exportFromSource } from '../../export/export-model.ts';
import { formatParityTable } from '../../export/parity-types.ts';
import { tfParityReference } from '../../export/tf-reference.ts';
import { initBackend } from '../../train/backend.ts';
import { initWeights } from '../../train/init.ts';
import { TfModel } from '../../train/model.ts';
import { fakeVocab, tinyConfig } from './fixtures.ts';
import { randomWeights } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'isovae-tfparity-'));
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function exportAndCheck(posterior: Posterior, weights: (p: Posterior) => Weights, tag: string) {
  const model = tinyConfig(posterior);
  const w = weights(posterior);
  const tfModel = new TfModel(model, w);
  const before = tf.memory().numTensors;
  try {
    const src = { model, weights: w, maxLen: 12, vocab: fakeVocab(model.vocabSize) };
    const { parity } = await exportFromSource(src, join(root, `${tag}-${posterior}`), tfParityReference(tfModel));
    // The adapter disposes every tensor it creates.
    expect(tf.memory().numTensors).toBe(before);
    return parity!;
  } finally {
    tfModel.dispose();
  }
}

describe.each(['iso', 'diag', 'ae'] as const)('tfjs TfModel vs onnxruntime-node (%s)', (posterior) => {
  it('Keras-initialised weights: every output within 1e-4, greedy decodes identical', async () => {
    const parity = await exportAndCheck(posterior, (p) => initWeights(tinyConfig(p), new Rng(42)), 'init');
    const cpu = parity.providers[0]!;
    for (const o of cpu.outputs) expect(o.maxAbsDiff, `${o.graph}/${o.output}\n${formatParityTable(parity)}`).toBeLessThanOrEqual(1e-4);
    expect(cpu.outputs.length).toBe(posterior === 'ae' ? 6 : 8);
    expect(cpu.greedy).toEqual({ sentences: 64, identical: 64, tokenAgreement: 100 });
    expect(parity.ok).toBe(true);
  });

  it('large random weights (saturating gates): parity and greedy equality hold', async () => {
    const parity = await exportAndCheck(posterior, (p) => randomWeights(tinyConfig(p), 77, 1), 'rand');
    expect(parity.ok, formatParityTable(parity)).toBe(true);
    expect(parity.providers[0]!.greedy.tokenAgreement).toBe(100);
  });
});
