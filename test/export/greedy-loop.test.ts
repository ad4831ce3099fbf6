import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EOS_ID, PAD_ID } from '../../core/special.ts';
import { writeModelDir } from '../../export/write-model-dir.ts';
import { loadModel, type IsovaeModel } from '../../runtime/index.ts';
import { randomWeights, tinyModel } from '../runtime/fixture.ts';

// decoder_greedy.onnx (one ONNX Loop) against the runtime's step-by-step greedy decoding
// (runtime/greedy.ts over decoder_step.onnx): identical tokens, lengths and finished flags.
const fx = tinyModel('iso');
const weights = randomWeights(fx.cfg, 5);
weights['output/bias']!.data[EOS_ID] = weights['output/bias']!.data[EOS_ID]! + 0.5; // some rows stop early, some run to maxLen
const MAX_LEN = 9;
let dir: string;
let model: IsovaeModel;
let bytes: Uint8Array;

type Ort = typeof ortNode | typeof ortWeb;

/** Run decoder_greedy on `ort` and return tokens [b][T], lengths, finished. */
async function runLoop(ort: Ort, z: Float32Array, b: number, provider: 'cpu' | 'wasm' = 'cpu'): Promise<{ tokens: number[][]; lengths: number[]; finished: boolean[]; steps: number }> {
  const session = await (ort.InferenceSession as typeof ortNode.InferenceSession).create(bytes, { executionProviders: [provider] });
  try {
    const out = await session.run({ z: new (ort.Tensor as typeof ortNode.Tensor)('float32', z, [b, fx.cfg.latentDim]) });
    const t = out.tokens!;
    expect(t.type).toBe('int32');
    expect(out.lengths!.type).toBe('int32');
    expect(out.finished!.type).toBe('bool');
    const steps = t.dims[1]!;
    const data = Array.from(t.data as Int32Array);
    return {
      tokens: Array.from({ length: b }, (_, r) => data.slice(r * steps, (r + 1) * steps)),
      lengths: Array.from(out.lengths!.data as Int32Array),
      finished: Array.from(out.finished!.data as Uint8Array, (v) => Boolean(v)),
      steps,
    };
  } finally {
    await session.release();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'isovae-loop-'));
  const manifest = await writeModelDir({ model: fx.cfg, weights, maxLen: MAX_LEN, vocab: fx.vocab, command: 'test' }, dir, { greedyGraph: true });
  expect(manifest.graphs.decoder_greedy?.file).toBe('decoder_greedy.onnx');
  bytes = new Uint8Array(readFileSync(join(dir, 'decoder_greedy.onnx')));
  model = await loadModel(dir, { threads: 1 });
});
afterAll(async () => {
  await model.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('decoder_greedy.onnx (ONNX Loop, opset 17)', () => {
  for (const b of [1, 5, 17]) {
    it(`batch ${b}: identical tokens to the step-by-step runtime on onnxruntime-node`, async () => {
      const z = model.sample(b, { seed: 100 + b });
      const got = await runLoop(ortNode, z, b);
      const want = await model.decode(z, { maxLen: MAX_LEN });
      expect(got.steps).toBeLessThanOrEqual(MAX_LEN);
      want.forEach((d, r) => {
        const row = got.tokens[r]!;
        const n = d.ids.length;
        expect(row.slice(0, n), `row ${r}`).toEqual(Array.from(d.ids));
        // after the words: <eos> then padding when finished, nothing (row full) when not
        if (d.finished) expect(row.slice(n)).toEqual([EOS_ID, ...new Array<number>(got.steps - n - 1).fill(PAD_ID)]);
        else expect(n).toBe(MAX_LEN);
        expect(got.lengths[r]).toBe(n);
        expect(got.finished[r]).toBe(d.finished);
      });
    });
  }

  it('the batch mixes finished and unfinished rows, and the loop stops early once every row is done', async () => {
    const z = model.sample(17, { seed: 117 });
    const want = await model.decode(z, { maxLen: MAX_LEN });
    expect(want.some((d) => d.finished)).toBe(true);
    expect(want.some((d) => !d.finished)).toBe(true);
    const oneFinished = want.findIndex((d) => d.finished && d.ids.length < MAX_LEN - 1);
    expect(oneFinished).toBeGreaterThanOrEqual(0);
    const single = await runLoop(ortNode, z.slice(oneFinished * 4, oneFinished * 4 + 4), 1);
    expect(single.steps).toBe(want[oneFinished]!.ids.length + 1); // stopped at its <eos>, not at maxLen
  });

  it('runs on onnxruntime-web (wasm) with the same tokens', async () => {
    ortWeb.env.wasm.numThreads = 1;
    const z = model.sample(5, { seed: 9 });
    const web = await runLoop(ortWeb, z, 5, 'wasm');
    const node = await runLoop(ortNode, z, 5);
    expect(web.tokens).toEqual(node.tokens);
    expect(web.finished).toEqual(node.finished);
  });

  it('lengths count words the model emits as id 0 or 1 (no EOS bias: random weights do that)', async () => {
    const w0 = randomWeights(fx.cfg, 5);
    const d0 = mkdtempSync(join(tmpdir(), 'isovae-loop0-'));
    await writeModelDir({ model: fx.cfg, weights: w0, maxLen: MAX_LEN, vocab: fx.vocab, command: 'test' }, d0, { greedyGraph: true });
    const m0 = await loadModel(d0, { threads: 1 });
    const saved = bytes;
    try {
      bytes = new Uint8Array(readFileSync(join(d0, 'decoder_greedy.onnx')));
      const z = m0.sample(17, { seed: 117 });
      const want = await m0.decode(z, { maxLen: MAX_LEN });
      expect(want.some((d) => Array.from(d.ids).some((id) => id < 3))).toBe(true); // the case this test is about
      const got = await runLoop(ortNode, z, 17);
      want.forEach((d, r) => {
        expect(got.tokens[r]!.slice(0, got.lengths[r])).toEqual(Array.from(d.ids));
        expect(got.finished[r]).toBe(d.finished);
      });
    } finally {
      bytes = saved;
      await m0.dispose();
      rmSync(d0, { recursive: true, force: true });
    }
  });

  it('is written only when asked, and the runtime still loads a directory that has it', async () => {
    const plain = mkdtempSync(join(tmpdir(), 'isovae-noloop-'));
    try {
      const m = await writeModelDir({ model: fx.cfg, weights, maxLen: MAX_LEN, vocab: fx.vocab, command: 'test' }, plain);
      expect(m.graphs.decoder_greedy).toBeUndefined();
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    expect(model.maxLen).toBe(MAX_LEN);
  });
});
