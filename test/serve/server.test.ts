import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsovaeModel } from '../../runtime/index.ts';
import type { RunningServer } from '../../serve/index.ts';
import { decoderRuns, type Counts } from '../runtime/counting-ort.ts';
import { tinyModel } from '../runtime/fixture.ts';
import { countedModel, get, post, serveOn } from './helpers.ts';

// Two tiny models (V=19, K=4): an IGP that stops early, and an AE (no logvar).
const igp = tinyModel('iso', { eosBias: 1.5, maxLen: 8 });
const ae = tinyModel('ae', { seed: 3, maxLen: 6 });
const TEXTS = ['the cat sat on the mat', 'a big red dog', '', 'blue tree and a zebra', 'the small house .'];
const LONG = 'the cat sat on the mat and the dog ran'; // 10 words > maxLen - 1 = 7

let model: IsovaeModel;
let counts: Counts;
let aeModel: IsovaeModel;
let server: RunningServer;
let url: string;

const encoderRuns = (c: Counts): number => [...c.runs].filter(([k]) => k.startsWith('mean')).reduce((a, [, v]) => a + v, 0);

beforeAll(async () => {
  ({ model, counts } = await countedModel(igp.dir));
  ({ model: aeModel } = await countedModel(ae.dir));
  server = await serveOn(new Map([['igp', model], ['ae', aeModel]]), { maxDelayMs: 20 });
  url = server.url;
});
afterAll(async () => {
  await server.close();
  await model.dispose();
  await aeModel.dispose();
});

describe('isovae serve: routes and formats', () => {
  it('binds the loopback address on a free port', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('POST /v1/embeddings (float): OpenAI shape, posterior means equal to model.encode of each input alone', async () => {
    const r = await post(`${url}/v1/embeddings`, { model: 'igp', input: [...TEXTS, LONG] });
    expect(r.status).toBe(200);
    expect(r.json.object).toBe('list');
    expect(r.json.model).toBe('igp');
    expect(r.json.data).toHaveLength(TEXTS.length + 1);
    const ids = [...TEXTS, LONG].map((t) => model.toIds(t).ids.length);
    expect(r.json.usage).toEqual({ prompt_tokens: ids.reduce((a, b) => a + b, 0), total_tokens: ids.reduce((a, b) => a + b, 0) });
    expect(r.json.truncated).toEqual([TEXTS.length]);
    for (const [i, t] of [...TEXTS, LONG].entries()) {
      const d = r.json.data[i];
      expect(d.object).toBe('embedding');
      expect(d.index).toBe(i);
      const alone = await model.encode([t]);
      expect(Float32Array.from(d.embedding)).toEqual(alone.mean); // JSON numbers of float32 values round-trip exactly
    }
  });

  it('POST /v1/embeddings (base64): little-endian float32 bytes of the same vectors; a string input is one row', async () => {
    const f = await post(`${url}/v1/embeddings`, { model: 'igp', input: 'a big red dog' });
    const b = await post(`${url}/v1/embeddings`, { model: 'igp', input: 'a big red dog', encoding_format: 'base64' });
    expect(b.status).toBe(200);
    const bytes = Buffer.from(b.json.data[0].embedding as string, 'base64');
    expect(bytes.length).toBe(4 * 4);
    const v = Array.from({ length: 4 }, (_, i) => bytes.readFloatLE(4 * i));
    expect(v).toEqual(f.json.data[0].embedding);
  });

  it('the only model is the default; several models need "model"', async () => {
    const r = await post(`${url}/v1/embeddings`, { input: 'the cat' });
    expect(r.status).toBe(400);
    expect(r.json.error.param).toBe('model');
    const list = await get(`${url}/v1/models`);
    expect(list.json.data.map((m: { id: string }) => m.id)).toEqual(['igp', 'ae']);
  });

  it('POST /v1/reconstruct equals model.reconstruct of each input alone', async () => {
    const r = await post(`${url}/v1/reconstruct`, { model: 'igp', input: TEXTS });
    expect(r.status).toBe(200);
    for (const [i, t] of TEXTS.entries()) {
      const [want] = await model.reconstruct([t]);
      expect(r.json.data[i]).toEqual({ index: i, text: want!.text, tokens: Array.from(want!.ids), finished: want!.finished });
    }
    const short = await post(`${url}/v1/reconstruct`, { model: 'ae', input: ['the cat'], max_tokens: 2 });
    const [want] = await aeModel.reconstruct(['the cat'], { maxLen: 2 });
    expect(short.json.data[0].tokens).toEqual(Array.from(want!.ids));
  });

  it('POST /v1/generate: sample, impute (intended, faithful) and interpolate equal the runtime calls', async () => {
    const s = await post(`${url}/v1/generate`, { model: 'igp', mode: 'sample', n: 5, seed: 7 });
    expect(s.status).toBe(200);
    expect(s.json.data.map((d: { text: string }) => d.text)).toEqual((await model.decode(model.sample(5, { seed: 7 }))).map((d) => d.text));
    for (const how of ['intended', 'faithful'] as const) {
      const r = await post(`${url}/v1/generate`, { model: 'igp', mode: 'impute', input: ['the cat', 'a big'], impute_mode: how });
      expect(r.status).toBe(200);
      expect(r.json.data.map((d: { tokens: number[] }) => d.tokens)).toEqual((await model.impute(['the cat', 'a big'], { mode: how })).map((d) => Array.from(d.ids)));
    }
    const it = await post(`${url}/v1/generate`, { model: 'igp', mode: 'interpolate', input: ['the cat sat', 'a big red dog'], steps: 4 });
    expect(it.json.data.map((d: { text: string }) => d.text)).toEqual((await model.interpolate('the cat sat', 'a big red dog', { steps: 4 })).decoded.map((d) => d.text));
  });

  it('KServe v2: health, server and model metadata, model ready', async () => {
    expect((await get(`${url}/v2/health/live`)).status).toBe(200);
    expect((await get(`${url}/v2/health/ready`)).json).toEqual({ ready: true });
    expect((await get(`${url}/v2`)).json.name).toBe('isovae');
    const meta = await get(`${url}/v2/models/igp`);
    expect(meta.status).toBe(200);
    expect(meta.json.outputs).toEqual([{ name: 'mean', datatype: 'FP32', shape: [-1, 4] }, { name: 'logvar', datatype: 'FP32', shape: [-1, 4] }]);
    expect(meta.json.inputs[0]).toEqual({ name: 'tokens', datatype: 'INT32', shape: [-1, -1] });
    expect((await get(`${url}/v2/models/ae`)).json.outputs.map((o: { name: string }) => o.name)).toEqual(['mean']);
    expect((await get(`${url}/v2/models/igp_encoder/ready`)).status).toBe(200);
    expect((await get(`${url}/v2/models/nope`)).status).toBe(404);
  });

  it('KServe v2 infer: tokens INT32 [b, seq] (padded) and text BYTES [b] give the runtime encoder outputs', async () => {
    const rows = ['the cat sat', 'a big red dog ran'].map((t) => Array.from(model.toIds(t).ids));
    const seq = Math.max(...rows.map((r) => r.length));
    const padded = rows.flatMap((r) => [...r, ...new Array<number>(seq - r.length).fill(0)]);
    const want = await model.encode(['the cat sat', 'a big red dog ran']);
    const r = await post(`${url}/v2/models/igp_encoder/infer`, { id: 'req-1', inputs: [{ name: 'tokens', datatype: 'INT32', shape: [2, seq], data: padded }] });
    expect(r.status).toBe(200);
    expect(r.json.model_name).toBe('igp_encoder');
    expect(r.json.id).toBe('req-1');
    expect(r.json.outputs.map((o: { name: string; shape: number[]; datatype: string }) => [o.name, o.shape, o.datatype])).toEqual([['mean', [2, 4], 'FP32'], ['logvar', [2, 4], 'FP32']]);
    expect(Float32Array.from(r.json.outputs[0].data)).toEqual(want.mean);
    expect(Float32Array.from(r.json.outputs[1].data)).toEqual(want.logvar);
    const t = await post(`${url}/v2/models/igp/versions/1/infer`, { inputs: [{ name: 'text', datatype: 'BYTES', shape: [2], data: ['the cat sat', 'a big red dog ran'] }], outputs: [{ name: 'mean' }] });
    expect(t.json.outputs).toHaveLength(1);
    expect(Float32Array.from(t.json.outputs[0].data)).toEqual(want.mean);
    // nested data is accepted too (the protocol allows row-major nesting)
    const nested = await post(`${url}/v2/models/igp/infer`, { inputs: [{ name: 'tokens', datatype: 'INT32', shape: [2, seq], data: [padded.slice(0, seq), padded.slice(seq)] }] });
    expect(Float32Array.from(nested.json.outputs[0].data)).toEqual(want.mean);
  });

  it('GET /metrics: Prometheus text with requests, errors, batch sizes, queue time, latency and RSS', async () => {
    const r = await get(`${url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = r.json as string;
    for (const name of ['isovae_requests_total', 'isovae_request_errors_total', 'isovae_request_duration_seconds_bucket', 'isovae_batch_size_bucket', 'isovae_queue_seconds_bucket', 'isovae_queue_depth', 'process_resident_memory_bytes']) {
      expect(text, name).toContain(name);
    }
    expect(text).toMatch(/isovae_requests_total\{route="\/v1\/embeddings",status="200"\} [1-9]/);
    expect(text).toMatch(/isovae_batch_size_count\{model="igp",graph="decoder"\} [1-9]/);
  });
});

describe('isovae serve: bad requests answer clear JSON errors', () => {
  const cases: Array<[string, string, unknown, number, string]> = [
    ['malformed JSON', '/v1/embeddings', '{"input": [', 400, 'invalid_json'],
    ['empty body', '/v1/embeddings', '', 400, 'invalid_json'],
    ['body not an object', '/v1/embeddings', '[1,2]', 400, 'invalid_request'],
    ['input missing', '/v1/embeddings', { model: 'igp' }, 400, 'invalid_request'],
    ['input of the wrong type', '/v1/embeddings', { model: 'igp', input: 42 }, 400, 'invalid_request'],
    ['a non-string in input', '/v1/embeddings', { model: 'igp', input: ['ok', 3] }, 400, 'invalid_request'],
    ['empty input list', '/v1/embeddings', { model: 'igp', input: [] }, 400, 'invalid_request'],
    ['bad encoding_format', '/v1/embeddings', { model: 'igp', input: 'a', encoding_format: 'int8' }, 400, 'invalid_request'],
    ['too many inputs', '/v1/embeddings', { model: 'igp', input: new Array(300).fill('a') }, 400, 'invalid_request'],
    ['too long a text', '/v1/embeddings', { model: 'igp', input: 'a'.repeat(20_000) }, 400, 'invalid_request'],
    ['unknown model', '/v1/embeddings', { model: 'gpt-4', input: 'a' }, 404, 'not_found'],
    ['model not a string', '/v1/reconstruct', { model: 1, input: 'a' }, 400, 'invalid_request'],
    ['max_tokens out of range', '/v1/reconstruct', { model: 'igp', input: 'a', max_tokens: 0 }, 400, 'invalid_request'],
    ['unknown generate mode', '/v1/generate', { model: 'igp', mode: 'beam' }, 400, 'invalid_request'],
    ['interpolate with one end', '/v1/generate', { model: 'igp', mode: 'interpolate', input: ['a'] }, 400, 'invalid_request'],
    ['sample n not an integer', '/v1/generate', { model: 'igp', mode: 'sample', n: 1.5 }, 400, 'invalid_request'],
  ];
  for (const [what, path, body, status, type] of cases) {
    it(`${what} -> ${status} ${type}`, async () => {
      const r = await post(`${url}${path}`, body);
      expect(r.status).toBe(status);
      expect(r.json.error.type).toBe(type);
      expect(r.json.error.message.length).toBeGreaterThan(10);
    });
  }

  it('a body over the limit -> 413; a non-JSON content type -> 415', async () => {
    const big = await post(`${url}/v1/embeddings`, { model: 'igp', input: 'x'.repeat(2 << 20) });
    expect(big.status).toBe(413);
    expect(big.json.error.type).toBe('payload_too_large');
    const res = await fetch(`${url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).toBe(415);
  });

  it('unknown route -> 404, wrong method -> 405 with Allow', async () => {
    expect((await get(`${url}/v1/chat/completions`)).status).toBe(404);
    const r = await get(`${url}/v1/embeddings`);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST');
  });

  it('KServe v2 errors use the protocol shape { error: string }', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ inputs: [{ name: 'tokens', datatype: 'FP32', shape: [1, 2], data: [3, 2] }] }, /INT32/],
      [{ inputs: [{ name: 'tokens', datatype: 'INT32', shape: [1, 3], data: [3, 2] }] }, /needs 3 values/],
      [{ inputs: [{ name: 'tokens', datatype: 'INT32', shape: [1, 2], data: [99, 2] }] }, /word ids in \[3, 19\)/],
      [{ inputs: [{ name: 'tokens', datatype: 'INT32', shape: [1, 3], data: [3, 2, 4] }] }, /word ids/],
      [{ inputs: [{ name: 'image', datatype: 'FP32', shape: [1], data: [0] }] }, /unknown input/],
      [{ inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['a'] }], outputs: [{ name: 'logits' }] }, /unknown output/],
      [{}, /exactly one input/],
    ];
    for (const [body, msg] of bad) {
      const r = await post(`${url}/v2/models/igp/infer`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(typeof r.json.error).toBe('string');
      expect(r.json.error).toMatch(msg);
    }
    const ae1 = await post(`${url}/v2/models/ae/infer`, { inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['a'] }], outputs: [{ name: 'logvar' }] });
    expect(ae1.status).toBe(400);
  });
});

describe('isovae serve: dynamic batching', () => {
  it('16 concurrent one-sentence embeddings requests run in fewer encoder runs, with the unbatched results', async () => {
    const texts = Array.from({ length: 16 }, (_, i) => TEXTS[i % TEXTS.length]! + ' ' + ['cat', 'dog', 'tree', 'house'][i % 4]);
    const alone = await Promise.all(texts.map(async (t) => (await model.encode([t])).mean));
    const before = encoderRuns(counts);
    const batchesBefore = server.models.get('igp')!.encoder.runs;
    const replies = await Promise.all(texts.map((t) => post(`${url}/v1/embeddings`, { model: 'igp', input: t })));
    const runs = encoderRuns(counts) - before;
    expect(runs).toBeLessThan(texts.length);
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(server.models.get('igp')!.encoder.runs - batchesBefore).toBe(runs);
    replies.forEach((r, i) => expect(Float32Array.from(r.json.data[0].embedding)).toEqual(alone[i]));
  });

  it('concurrent reconstruct requests share decoder steps (rows join the running batch), tokens as unbatched', async () => {
    const texts = ['the cat sat on the mat', 'a big red dog', 'blue tree', 'the small house .', 'red cat ran', 'a dog'];
    const alone: Array<{ ids: Int32Array }> = [];
    let aloneSteps = 0;
    for (const t of texts) {
      const d0 = decoderRuns(counts);
      alone.push((await model.reconstruct([t]))[0]!);
      aloneSteps += decoderRuns(counts) - d0;
    }
    const d0 = decoderRuns(counts);
    const batchIdx = counts.decoderBatches.length;
    const replies = await Promise.all(texts.map((t) => post(`${url}/v1/reconstruct`, { model: 'igp', input: t })));
    const steps = decoderRuns(counts) - d0;
    expect(steps).toBeLessThan(aloneSteps);
    expect(Math.max(...counts.decoderBatches.slice(batchIdx))).toBeGreaterThan(1); // rows of several requests in one step
    replies.forEach((r, i) => expect(r.json.data[0].tokens).toEqual(Array.from(alone[i]!.ids)));
  });

  it('a request arriving mid-decode joins the running batch and leaves it when done', async () => {
    const long = post(`${url}/v1/generate`, { model: 'ae', mode: 'sample', n: 3, seed: 1, max_tokens: 6 });
    await new Promise((r) => setTimeout(r, 30)); // the first request is decoding by now
    const short = await post(`${url}/v1/generate`, { model: 'ae', mode: 'sample', n: 1, seed: 2, max_tokens: 1 });
    const first = await long;
    expect(short.json.data[0].tokens).toEqual(Array.from((await aeModel.decode(aeModel.sample(1, { seed: 2 }), { maxLen: 1 }))[0]!.ids));
    expect(first.json.data.map((d: { tokens: number[] }) => d.tokens)).toEqual((await aeModel.decode(aeModel.sample(3, { seed: 1 }), { maxLen: 6 })).map((d) => Array.from(d.ids)));
  });
});
