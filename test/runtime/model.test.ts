import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../runtime/index.ts';
import type { IsovaeModel } from '../../runtime/model.ts';
import { expectClose, tinyModel, type Fixture } from './fixture.ts';
import { refEncodeRow, refGreedy } from './reference.ts';

// Texts made up for these tests (the fixture vocabulary is hand-written).
const TEXTS = ['the cat sat on the mat .', 'a big dog ran', 'red', 'the small blue house', 'tree tree tree', 'a cat'];

describe.each(['iso', 'diag', 'ae'] as const)('runtime on a tiny %s model', (posterior) => {
  let fx: Fixture;
  let model: IsovaeModel;
  beforeAll(async () => {
    fx = tinyModel(posterior, { seed: posterior.length });
    model = await loadModel(fx.dir, { executionProviders: ['cpu'], threads: 1 });
  });
  afterAll(async () => model.dispose());

  it('encode equals the float64 reference on whole tensors (atol 1e-4)', async () => {
    const res = await model.encode(TEXTS);
    expect(res.n).toBe(TEXTS.length);
    expect(res.k).toBe(fx.cfg.latentDim);
    const expMean: number[] = [];
    const expLv: number[] = [];
    for (const t of TEXTS) {
      const ref = refEncodeRow(fx.cfg, fx.weights, model.toIds(t).ids);
      expMean.push(...ref.mean);
      if (ref.logvar) expLv.push(...ref.logvar);
    }
    const dm = expectClose(res.mean, expMean, 1e-4, 'mean');
    console.log(`${posterior} encode mean max abs diff ${dm.toExponential(2)}`);
    if (posterior === 'ae') expect(res.logvar).toBeNull();
    else expectClose(res.logvar!, expLv, 1e-4, 'logvar');
  });

  it('greedy decode equals the float64 reference tokens', async () => {
    const z = model.sample(12, { seed: 3 });
    const out = await model.decode(z);
    const K = fx.cfg.latentDim;
    out.forEach((row, i) => {
      const ref = refGreedy(fx.cfg, fx.weights, z.subarray(i * K, (i + 1) * K), fx.maxLen);
      expect(Array.from(row.ids)).toEqual(ref.ids);
      expect(row.finished).toBe(ref.finished);
      expect(row.words).toEqual(ref.ids.map((id) => fx.vocab.words[id]));
      expect(row.text).toBe(row.words.join(' '));
    });
  });

  it('batched results equal one-at-a-time results', async () => {
    const all = await model.encode(TEXTS, { batchSize: 128 });
    const one = await model.encode(TEXTS, { batchSize: 1 });
    expectClose(all.mean, one.mean, 1e-6, 'mean batch vs single');
    const z = model.sample(9, { seed: 5 });
    const batched = await model.decode(z, { batchSize: 128 });
    const single = await model.decode(z, { batchSize: 1 });
    expect(batched.map((d) => Array.from(d.ids))).toEqual(single.map((d) => Array.from(d.ids)));
  });

  it('reconstruct decodes the posterior means', async () => {
    const rec = await model.reconstruct(TEXTS.slice(0, 3));
    const { mean } = await model.encode(TEXTS.slice(0, 3));
    const dec = await model.decode(mean);
    expect(rec.map((r) => r.text)).toEqual(dec.map((r) => r.text));
  });

  it('impute (intended) teacher-forces the prefix with z = mean of prefix + <eos>', async () => {
    const prefixes = ['the cat', 'a big dog ran', ''];
    const out = await model.impute(prefixes, { mode: 'intended' });
    const K = fx.cfg.latentDim;
    const { mean } = await model.encode(prefixes);
    out.forEach((row, i) => {
      const words = Array.from(model.toIds(prefixes[i]!).ids.slice(0, -1));
      const ref = refGreedy(fx.cfg, fx.weights, mean.subarray(i * K, (i + 1) * K), fx.maxLen - words.length, words);
      expect(Array.from(row.ids)).toEqual(ref.ids);
      expect(Array.from(row.ids.slice(0, words.length))).toEqual(words);
    });
  });

  it('impute (faithful) uses z = mean-head bias (the paper code: no <eos> -> zero summary)', async () => {
    const prefixes = ['the cat', 'a big dog ran'];
    const out = await model.impute(prefixes, { mode: 'faithful' });
    const bias = fx.weights['mean/bias']!.data;
    // Reference: the encoder on a row without <eos> has a zero summary, so mean = bias exactly.
    expectClose(refEncodeRow(fx.cfg, fx.weights, model.toIds('the cat').ids.slice(0, -1)).mean, bias, 1e-12, 'no-eos mean');
    out.forEach((row, i) => {
      const words = Array.from(model.toIds(prefixes[i]!).ids.slice(0, -1));
      const ref = refGreedy(fx.cfg, fx.weights, bias, fx.maxLen - words.length, words);
      expect(Array.from(row.ids)).toEqual(ref.ids);
    });
  });

  it('interpolate: endpoints equal the encode means; 6 points by default', async () => {
    const a = 'the cat sat on the mat .';
    const b = 'a big dog ran';
    const { z, decoded } = await model.interpolate(a, b);
    const K = fx.cfg.latentDim;
    expect(z.length).toBe(6 * K);
    expect(decoded).toHaveLength(6);
    const { mean } = await model.encode([a, b]);
    expect(Array.from(z.subarray(0, K))).toEqual(Array.from(mean.subarray(0, K)));
    expect(Array.from(z.subarray(5 * K))).toEqual(Array.from(mean.subarray(K)));
    // The midpoint (i = 2.5 is not a point; check i = 1: 0.8 a + 0.2 b), computed in float64.
    const mid = Array.from({ length: K }, (_, d) => 0.8 * mean[d]! + 0.2 * mean[K + d]!);
    expectClose(z.subarray(K, 2 * K), mid, 1e-6, 'homotopy point 1');
  });
});
