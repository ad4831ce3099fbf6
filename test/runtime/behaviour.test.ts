import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EOS_ID } from '../../core/special.ts';
import { loadModel, loadModelFrom, nodePlatform, dirSource } from '../../runtime/index.ts';
import type { IsovaeModel } from '../../runtime/model.ts';
import { countingOrt, decoderRuns } from './counting-ort.ts';
import { expectClose, tinyModel, type Fixture } from './fixture.ts';
import { refEncodeRow, refGreedy } from './reference.ts';

describe('text handling', () => {
  let fx: Fixture;
  let model: IsovaeModel;
  beforeAll(async () => {
    fx = tinyModel('iso', { maxLen: 6 });
    model = await loadModel(fx.dir, { threads: 1 });
  });
  afterAll(async () => model.dispose());

  it('maps out-of-vocabulary words to unk', async () => {
    const ids = model.toIds('the zebra sat');
    expect(Array.from(ids.ids)).toEqual([fx.vocab.idOf('the'), fx.vocab.unkId, fx.vocab.idOf('sat'), EOS_ID]);
    const res = await model.encode(['the zebra sat', 'the unk sat']);
    expect(Array.from(res.mean.subarray(0, 4))).toEqual(Array.from(res.mean.subarray(4, 8)));
  });

  it('maps text that tokenizes to a special token to unk (one <eos> per row)', () => {
    const words = model.tokenize('<eos>');
    const ids = model.toIds('<eos>').ids;
    expect(ids.filter((id) => id === EOS_ID)).toHaveLength(1);
    expect(ids.length).toBe(words.length + 1);
  });

  it('encodes empty text as the single token <eos>', async () => {
    expect(Array.from(model.toIds('').ids)).toEqual([EOS_ID]);
    expect(Array.from(model.toIds('   ').ids)).toEqual([EOS_ID]);
    const res = await model.encode(['']);
    expectClose(res.mean, refEncodeRow(fx.cfg, fx.weights, [EOS_ID]).mean, 1e-4, 'empty');
    expect(res.truncated).toEqual([]);
  });

  it('truncates text longer than maxLen - 1 words and reports it', async () => {
    const long = 'the cat sat on the mat and the dog ran';
    const short = 'the cat sat on the'; // first maxLen - 1 = 5 words
    const res = await model.encode(['a cat', long, short]);
    expect(res.truncated).toEqual([1]);
    expect(model.toIds(long).ids.length).toBe(fx.maxLen);
    expect(Array.from(res.mean.subarray(4, 8))).toEqual(Array.from(res.mean.subarray(8, 12)));
  });

  it('accepts id rows (word ids then <eos>; a missing final <eos> is appended)', async () => {
    const ids = Array.from(model.toIds('a big dog').ids);
    const res = await model.encode(['a big dog', ids, ids.slice(0, -1)]);
    expect(Array.from(res.mean.subarray(4, 8))).toEqual(Array.from(res.mean.subarray(0, 4)));
    expect(Array.from(res.mean.subarray(8, 12))).toEqual(Array.from(res.mean.subarray(0, 4)));
  });

  it('empty batches give empty results without running a session', async () => {
    const res = await model.encode([]);
    expect(res.n).toBe(0);
    expect(res.mean.length).toBe(0);
    expect(await model.decode(new Float32Array(0))).toEqual([]);
    expect(await model.impute([])).toEqual([]);
  });

  it('sample is deterministic for a seed and looks like N(0, 1)', () => {
    const a = model.sample(3, { seed: 42 });
    const b = model.sample(3, { seed: 42 });
    const c = model.sample(3, { seed: 43 });
    expect(a.length).toBe(12);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // 40,000 draws: the mean's standard error is 0.005 and the variance's about 0.007.
    const big = model.sample(10_000, { seed: 7 });
    let s = 0;
    let s2 = 0;
    for (const v of big) {
      s += v;
      s2 += v * v;
    }
    const mean = s / big.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(s2 / big.length - mean * mean - 1)).toBeLessThan(0.04);
  });

  it('uses the primitive encoder when the fused one is disabled, with equal results', async () => {
    expect(model.fusedEncoder).toBe(true);
    const prim = await loadModel(fx.dir, { useFusedEncoder: false, threads: 1 });
    try {
      expect(prim.fusedEncoder).toBe(false);
      const texts = ['the cat sat', '', 'a big red house'];
      const [x, y] = [await model.encode(texts), await prim.encode(texts)];
      expectClose(x.mean, y.mean, 1e-5, 'fused vs primitive mean');
      expectClose(x.logvar!, y.logvar!, 1e-5, 'fused vs primitive logvar');
    } finally {
      await prim.dispose();
    }
  });
});

describe('greedy early stop', () => {
  // eosBias 0.8 makes many (not all) rows emit <eos> within a few steps (found by looking at the reference).
  const fx = tinyModel('iso', { seed: 3, eosBias: 0.8 });
  const K = fx.cfg.latentDim;

  it('stops the batch once every row emitted <eos>, and runs maxLen steps otherwise', async () => {
    const { ort, counts } = countingOrt();
    const model = await loadModelFrom(nodePlatform(ort), dirSource(fx.dir), { threads: 1 });
    try {
      const z = model.sample(64, { seed: 3 });
      const refs = Array.from({ length: 64 }, (_, i) => refGreedy(fx.cfg, fx.weights, z.subarray(i * K, (i + 1) * K), fx.maxLen));
      const done = refs.flatMap((r, i) => (r.finished ? [i] : []));
      const open = refs.findIndex((r) => !r.finished);
      expect(done.length).toBeGreaterThan(3);
      expect(open).toBeGreaterThanOrEqual(0);
      const zDone = new Float32Array(done.length * K);
      done.forEach((src, r) => zDone.set(z.subarray(src * K, (src + 1) * K), r * K));
      const expectedSteps = Math.max(...done.map((i) => refs[i]!.steps));
      expect(expectedSteps).toBeLessThan(fx.maxLen);

      const before = decoderRuns(counts);
      const out = await model.decode(zDone);
      expect(decoderRuns(counts) - before).toBe(expectedSteps);
      expect(out.every((d) => d.finished)).toBe(true);
      expect(out.map((d) => Array.from(d.ids))).toEqual(done.map((i) => refs[i]!.ids));

      const before2 = decoderRuns(counts);
      const withOpen = new Float32Array([...zDone, ...z.subarray(open * K, (open + 1) * K)]);
      const out2 = await model.decode(withOpen);
      expect(decoderRuns(counts) - before2).toBe(fx.maxLen);
      expect(out2.at(-1)!.finished).toBe(false);
      expect(out2.at(-1)!.ids.length).toBe(fx.maxLen);
      expect(out2.map((d) => Array.from(d.ids))).toEqual([...done.map((i) => refs[i]!.ids), refs[open]!.ids]);
      // The batch shrinks to the running rows once a quarter of them stopped (ends with the open row alone).
      const sizes = counts.decoderBatches.slice(-fx.maxLen);
      expect(sizes[0]).toBe(done.length + 1);
      expect(sizes.at(-1)).toBe(1);
      expect(sizes.every((s, i) => i === 0 || s <= sizes[i - 1]!)).toBe(true);

      const before3 = decoderRuns(counts);
      await model.decode(withOpen, { maxLen: 3 });
      expect(decoderRuns(counts) - before3).toBe(3);
    } finally {
      await model.dispose();
    }
  });
});

describe('impute with rows stopping at different steps (batch compaction)', () => {
  it('equals the float64 reference row by row', async () => {
    const fx = tinyModel('iso', { seed: 5, eosBias: 0.8, maxLen: 9 }); // some rows stop early, two run to maxLen
    const model = await loadModel(fx.dir, { threads: 1 });
    try {
      const prefixes = ['the', 'a big dog', '', 'the cat sat on', 'red red', 'tree', 'a', 'the small blue house', 'mat'];
      const out = await model.impute(prefixes);
      const { mean } = await model.encode(prefixes);
      const K = fx.cfg.latentDim;
      const refs = prefixes.map((p, i) => {
        const words = Array.from(model.toIds(p).ids.slice(0, -1));
        return refGreedy(fx.cfg, fx.weights, mean.subarray(i * K, (i + 1) * K), fx.maxLen - words.length, words);
      });
      expect(new Set(refs.map((r) => r.steps)).size).toBeGreaterThan(2); // rows really stop at different steps
      expect(out.map((d) => Array.from(d.ids))).toEqual(refs.map((r) => r.ids));
      expect(out.map((d) => d.finished)).toEqual(refs.map((r) => r.finished));
    } finally {
      await model.dispose();
    }
  });
});

describe('dispose', () => {
  it('releases every session once, and later calls fail clearly', async () => {
    const fx = tinyModel('diag');
    const { ort, counts } = countingOrt();
    const model = await loadModelFrom(nodePlatform(ort), dirSource(fx.dir), { threads: 1 });
    expect(counts.created).toBe(2);
    const pending = model.encode(['the cat']); // a run in flight when dispose is called
    await model.dispose();
    await pending;
    await model.dispose(); // idempotent
    expect(counts.released).toBe(2);
    expect(model.sessionsReleased).toBe(true);
    expect(model.isDisposed).toBe(true);
    await expect(model.encode(['the cat'])).rejects.toThrow(/disposed/);
    await expect(model.decode(model.sample(1))).rejects.toThrow(/disposed/);
  });
});
