import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EOS_ID, PAD_ID } from '../../core/special.ts';
import { parseTextProto, type TextMessage } from '../../export/pbtxt.ts';
import { writeTritonRepo } from '../../export/triton.ts';
import { MODEL_CONFIG } from '../../export/triton-schema.ts';
import { writeModelDir } from '../../export/write-model-dir.ts';
import { loadModel, type IsovaeModel } from '../../runtime/index.ts';
import { randomWeights, tinyModel } from '../runtime/fixture.ts';

// Triton itself cannot run here (no container runtime): the repository is checked by parsing every
// config.pbtxt strictly against the model_config.proto schema and by running its model.onnx files
// through onnxruntime-node with the shapes the configs declare, against the runtime.
const fx = tinyModel('iso');
const w = randomWeights(fx.cfg, 21);
w['output/bias']!.data[EOS_ID] = w['output/bias']!.data[EOS_ID]! + 0.5;
let root: string;
let repo: string;
let model: IsovaeModel;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'isovae-triton-'));
  await writeModelDir({ model: fx.cfg, weights: w, maxLen: 8, vocab: fx.vocab, command: 'test' }, join(root, 'model'), { greedyGraph: true });
  repo = join(root, 'repo');
  await writeTritonRepo(join(root, 'model'), repo, { name: 'tiny', maxBatchSize: 64, kind: 'cpu' });
  model = await loadModel(join(root, 'model'), { threads: 1, useFusedEncoder: false });
});
afterAll(async () => {
  await model.dispose();
  rmSync(root, { recursive: true, force: true });
});

const config = (name: string): TextMessage => parseTextProto(MODEL_CONFIG, readFileSync(join(repo, name, 'config.pbtxt'), 'utf8'), `${name}/config.pbtxt`);

describe('isovae export --triton: model repository', () => {
  it('has the Triton layout: <model>/config.pbtxt, <model>/1/model.onnx, vocab and manifest alongside', () => {
    for (const m of ['tiny_encoder', 'tiny_generate']) {
      for (const f of ['config.pbtxt', '1/model.onnx', 'vocab.txt', 'isovae-manifest.json']) expect(existsSync(join(repo, m, f)), `${m}/${f}`).toBe(true);
    }
    expect(readFileSync(join(repo, 'tiny_encoder/1/model.onnx'))).toEqual(readFileSync(join(root, 'model/encoder.onnx')));
    expect(readFileSync(join(repo, 'tiny_generate/1/model.onnx'))).toEqual(readFileSync(join(root, 'model/decoder_greedy.onnx')));
  });

  it('configs parse strictly as inference.ModelConfig with the onnxruntime backend, batching and the graph IO', () => {
    const enc = config('tiny_encoder');
    expect(enc).toEqual({
      name: 'tiny_encoder', backend: 'onnxruntime', max_batch_size: 64,
      input: [{ name: 'tokens', data_type: 'TYPE_INT32', dims: [-1] }],
      output: [{ name: 'mean', data_type: 'TYPE_FP32', dims: [4] }, { name: 'logvar', data_type: 'TYPE_FP32', dims: [4] }],
      dynamic_batching: { preferred_batch_size: [16, 32, 64], max_queue_delay_microseconds: 2000 },
      instance_group: [{ count: 1, kind: 'KIND_CPU' }],
    });
    const gen = config('tiny_generate');
    expect(gen.input).toEqual([{ name: 'z', data_type: 'TYPE_FP32', dims: [4] }]);
    expect(gen.output).toEqual([
      { name: 'tokens', data_type: 'TYPE_INT32', dims: [-1] },
      { name: 'lengths', data_type: 'TYPE_INT32', dims: [1], reshape: { shape: [] } },
      { name: 'finished', data_type: 'TYPE_BOOL', dims: [1], reshape: { shape: [] } },
    ]);
  });

  it('the configs name exactly the inputs and outputs onnxruntime sees in each model.onnx', async () => {
    for (const m of ['tiny_encoder', 'tiny_generate']) {
      const c = config(m);
      const s = await ort.InferenceSession.create(readFileSync(join(repo, m, '1/model.onnx')));
      try {
        expect([...s.inputNames].sort(), m).toEqual((c.input as TextMessage[]).map((i) => i.name).sort());
        expect([...s.outputNames].sort(), m).toEqual((c.output as TextMessage[]).map((i) => i.name).sort());
      } finally {
        await s.release();
      }
    }
  });

  it('model.onnx files run with the declared shapes and match the runtime (encode, greedy decode)', async () => {
    const texts = ['the cat sat', 'a big red dog ran', ''];
    const rows = texts.map((t) => Array.from(model.toIds(t).ids));
    const seq = Math.max(...rows.map((r) => r.length)); // client-side tokenization + padding, as docs/serving.md shows
    const tokens = Int32Array.from(rows.flatMap((r) => [...r, ...new Array<number>(seq - r.length).fill(PAD_ID)]));
    const enc = await ort.InferenceSession.create(readFileSync(join(repo, 'tiny_encoder/1/model.onnx')));
    const gen = await ort.InferenceSession.create(readFileSync(join(repo, 'tiny_generate/1/model.onnx')));
    try {
      const e = await enc.run({ tokens: new ort.Tensor('int32', tokens, [3, seq]) });
      const want = await model.encode(texts);
      expect(e.mean!.data).toEqual(want.mean);
      const g = await gen.run({ z: e.mean! });
      const steps = g.tokens!.dims[1]!;
      const lengths = g.lengths!.data as Int32Array;
      const decoded = await model.decode(want.mean);
      decoded.forEach((d, r) => {
        expect(Array.from((g.tokens!.data as Int32Array).subarray(r * steps, r * steps + lengths[r]!))).toEqual(Array.from(d.ids));
        expect(Boolean((g.finished!.data as Uint8Array)[r])).toBe(d.finished);
      });
    } finally {
      await enc.release();
      await gen.release();
    }
  });

  it('refuses a model directory without decoder_greedy, naming the flag to use', async () => {
    const plain = join(root, 'plain');
    await writeModelDir({ model: fx.cfg, weights: w, maxLen: 8, vocab: fx.vocab, command: 'test' }, plain);
    await expect(writeTritonRepo(plain, join(root, 'repo2'))).rejects.toThrow(/--greedy-graph/);
  });
});

describe('strict text-format parser (pbtxt.ts) on the model_config.proto schema', () => {
  it('accepts the usual Triton spellings: comments, lists of messages, optional colons, <> messages', () => {
    const text = `# comment
name: "m"  platform: 'onnxruntime_onnx'
max_batch_size: 8
input [ { name: "x", data_type: TYPE_FP32, dims: [ -1, 3 ] } ]
input { name: "y" data_type: TYPE_INT32 dims: 4 dims: 5 }
output: [ { name: "o" data_type: TYPE_FP32 dims: [ 1 ] reshape: { shape: [ ] } } ]
dynamic_batching < max_queue_delay_microseconds: 100 >
version_policy: { latest: { num_versions: 2 } }
instance_group [ { count: 2, kind: KIND_GPU, gpus: [ 0, 1 ] } ]`;
    const c = parseTextProto(MODEL_CONFIG, text);
    expect(c.input).toEqual([{ name: 'x', data_type: 'TYPE_FP32', dims: [-1, 3] }, { name: 'y', data_type: 'TYPE_INT32', dims: [4, 5] }]);
    expect(c.platform).toBe('onnxruntime_onnx');
    expect(c.dynamic_batching).toEqual({ max_queue_delay_microseconds: 100 });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['unknown field', 'name: "m" max_batch: 8', /unknown field "max_batch" in inference.ModelConfig/],
    ['unknown nested field', 'input [ { name: "x" datatype: TYPE_FP32 } ]', /unknown field "datatype" in inference.ModelInput/],
    ['unknown enum value', 'input [ { name: "x" data_type: FP32 } ]', /not a value of enum DataType/],
    ['string for an int', 'max_batch_size: "8"', /expected an integer/],
    ['float for an int', 'max_batch_size: 8.5', /expected an integer/],
    ['int out of range', 'max_batch_size: 3000000000', /out of range for int32/],
    ['negative uint', 'dynamic_batching { max_queue_delay_microseconds: -1 }', /out of range for uint64/],
    ['unquoted string', 'name: m', /expected a quoted string/],
    ['singular field twice', 'name: "a" name: "b"', /set twice/],
    ['list on a singular field', 'max_batch_size: [ 1 ]', /not repeated/],
    ['oneof with two members', 'version_policy { latest { } all { } }', /oneof policy_choice already has latest/],
    ['missing colon on a scalar', 'name "m"', /expected ":"/],
    ['unterminated message', 'dynamic_batching { max_queue_delay_microseconds: 1', /unexpected end of input/],
    ['unterminated string', 'name: "m', /unterminated string/],
    ['bool as int', 'input [ { name: "x" optional: 1 } ]', /expected true or false/],
  ];
  for (const [what, text, msg] of bad) {
    it(`rejects ${what}`, () => {
      expect(() => parseTextProto(MODEL_CONFIG, text, 'config.pbtxt')).toThrow(msg);
    });
  }
});
