/**
 * The exported graphs on onnxruntime-node (CPU) vs the independent float64 JS reference
 * (test/export/reference.ts), on random tiny weights: whole tensors, atol 1e-4.
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import type { Posterior } from '../../core/config.ts';
import { encodeModel, makeModel } from '../../onnx/builder.ts';
import { buildDecoderStepGraph } from '../../export/decoder-step-graph.ts';
import { buildEncoderFusedGraph } from '../../export/encoder-fused-graph.ts';
import { buildEncoderGraph } from '../../export/encoder-graph.ts';
import type { GraphMsg } from '../../onnx/onnx-proto.ts';
import { tinyConfig } from './fixtures.ts';
import { expectTensorClose, padRows, randomRows, randomWeights, rng, runOnnx } from './helpers.ts';
import { refDecoderStep, refEncode } from './reference.ts';

const TOL = { atol: 1e-4 };
const bytesOf = (g: GraphMsg) => encodeModel(makeModel(g, { producerVersion: 'test' }));
const POSTERIORS: Posterior[] = ['iso', 'diag', 'ae'];

describe.each(POSTERIORS)('encoder graphs (%s)', (posterior) => {
  const cfg = tinyConfig(posterior);
  const w = randomWeights(cfg, 11);
  const variants: Array<[string, Uint8Array]> = [
    ['scan', bytesOf(buildEncoderGraph(cfg, w, { recurrence: 'scan' }))],
    ['loop', bytesOf(buildEncoderGraph(cfg, w, { recurrence: 'loop' }))],
    ['scan+table', bytesOf(buildEncoderGraph(cfg, w, { gatherTable: true }))],
    ['fused', bytesOf(buildEncoderFusedGraph(cfg, w))],
  ];

  it.each(variants)('%s matches the float64 reference on the shape grid', async (_name, bytes) => {
    for (const batch of [1, 3, 17]) {
      for (const len of [1, 7, 12]) {
        const rows = randomRows(cfg.vocabSize, batch, len, 100 * batch + len);
        const out = await runOnnx(bytes, { tokens: new ort.Tensor('int32', padRows(rows, len), [batch, len]) });
        const ref = refEncode(cfg, w, rows);
        expect(out.mean!.dims).toEqual([batch, cfg.latentDim]);
        expectTensorClose(out.mean!.data, ref.mean, TOL, `mean b${batch} L${len}`);
        if (posterior === 'ae') expect(out.logvar).toBeUndefined();
        else {
          expect(out.logvar!.dims).toEqual([batch, cfg.latentDim]);
          expectTensorClose(out.logvar!.data, ref.logvar!, TOL, `logvar b${batch} L${len}`);
        }
      }
    }
  });

  it.each(variants)('%s: padding after EOS never changes the result', async (_name, bytes) => {
    const rows = randomRows(cfg.vocabSize, 5, 6, 7);
    const tight = await runOnnx(bytes, { tokens: new ort.Tensor('int32', padRows(rows, 6), [5, 6]) });
    const wide = await runOnnx(bytes, { tokens: new ort.Tensor('int32', padRows(rows, 15), [5, 15]) });
    // Exactly equal: extra steps add h * 0 to the summary (primitive) or lie past sequence_lens (fused).
    expect([...wide.mean!.data]).toEqual([...tight.mean!.data]);
    if (posterior !== 'ae') expect([...wide.logvar!.data]).toEqual([...tight.logvar!.data]);
  });

  it.each(variants)('%s: a row without EOS gets the zero summary (mean = bias)', async (_name, bytes) => {
    const out = await runOnnx(bytes, { tokens: new ort.Tensor('int32', Int32Array.from([5, 6, 7, 0]), [1, 4]) });
    expectTensorClose(out.mean!.data, w['mean/bias']!.data, { atol: 0 }, 'mean');
  });
});

describe.each(POSTERIORS)('decoder_step graph (%s)', (posterior) => {
  const cfg = tinyConfig(posterior);
  const w = randomWeights(cfg, 12);
  const { hiddenDim: H, latentDim: K, vocabSize: V } = cfg;

  it.each([
    [false, 'float'], [true, 'float'], [false, 'op'],
  ] as const)('gatherTable=%s argmax=%s matches the float64 reference', async (gatherTable, argmax) => {
    const bytes = bytesOf(buildDecoderStepGraph(cfg, w, { gatherTable, argmax }));
    for (const batch of [1, 3, 17]) {
      const r = rng(batch);
      const token = Array.from({ length: batch }, () => Math.floor(r() * V));
      const z = Float32Array.from({ length: batch * K }, () => 2 * r() - 1);
      const h = Float32Array.from({ length: batch * H }, () => 2 * r() - 1);
      const c = Float32Array.from({ length: batch * H }, () => 4 * r() - 2);
      const out = await runOnnx(bytes, {
        token: new ort.Tensor('int32', Int32Array.from(token), [batch]), z: new ort.Tensor('float32', z, [batch, K]),
        h: new ort.Tensor('float32', h, [batch, H]), c: new ort.Tensor('float32', c, [batch, H]),
      });
      const ref = refDecoderStep(cfg, w, token, z, h, c);
      expect(out.logits!.dims).toEqual([batch, V]);
      expectTensorClose(out.logits!.data, ref.logits, TOL, `logits b${batch}`);
      expectTensorClose(out.h_out!.data, ref.h, TOL, `h_out b${batch}`);
      expectTensorClose(out.c_out!.data, ref.c, TOL, `c_out b${batch}`);
      expect(out.next_token!.data).toBeInstanceOf(Int32Array);
      expect([...out.next_token!.data]).toEqual(ref.next);
    }
  });

  it.each(['float', 'op'] as const)('next_token (argmax=%s) takes the first maximum on ties', async (argmax) => {
    // Output kernel 0 and bias with equal maxima at ids 7 and 3 (and 20): the first max is id 3.
    const bias = new Float32Array(V).fill(-1);
    bias[7] = 2;
    bias[3] = 2;
    bias[20] = 2;
    const flat = { ...w, 'output/kernel': { shape: [H, V], data: new Float32Array(H * V) }, 'output/bias': { shape: [V], data: bias } };
    const out = await runOnnx(bytesOf(buildDecoderStepGraph(cfg, flat, { argmax })), {
      token: new ort.Tensor('int32', Int32Array.from([1, 4]), [2]), z: new ort.Tensor('float32', new Float32Array(2 * K), [2, K]),
      h: new ort.Tensor('float32', new Float32Array(2 * H), [2, H]), c: new ort.Tensor('float32', new Float32Array(2 * H), [2, H]),
    });
    expect([...out.next_token!.data]).toEqual([3, 3]);
  });
});
