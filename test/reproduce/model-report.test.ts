/**
 * `isovae evaluate` (reproduce/model-report.ts, cli/evaluate.ts) on tiny random model directories and a
 * hand-written CSV corpus, against references computed here independently: Rec by a plain per-sentence loop over
 * decoder_step.onnx on onnxruntime-node directly, KL and AU from the encoder's outputs by the formulas, BLEU-2 and
 * unk rates of hand-made sentences by hand.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { IsovaeError } from '../../core/errors.ts';
import { bleu2 } from '../../eval/bleu.ts';
import { Rng } from '../../core/rng.ts';
import { loadModel, loadModelFrom, nodePlatform, dirSource } from '../../runtime/index.ts';
import {
  formatModelReport, modelReport, sampleLatents, scoreReconstructions, selectSentences, teacherForcedNll, tokensToIds,
} from '../../reproduce/model-report.ts';
import { dirsFromIndex, run as runEvaluate } from '../../cli/evaluate.ts';
import { makeDir, removeDir } from '../data/helpers.ts';
import { countingOrt } from '../runtime/counting-ort.ts';
import { buildFixtureFiles, tinyModel, WORDS } from '../runtime/fixture.ts';

// Test split, in order; with maxWords 5 the kept ones are rows 2, 3, 4, 6, 8. zebra and quokka are not in WORDS.
const TEST_ROWS = [
  'the cat sat on the mat .', // 7 words
  'the zebra ran .',
  'a big dog',
  'red house',
  'the small tree sat on a blue mat', // 8
  'dog',
  'the cat ran on a mat', // 6
  'a quokka sat',
];
const KEPT = [['the', 'zebra', 'ran', '.'], ['a', 'big', 'dog'], ['red', 'house'], ['dog'], ['a', 'quokka', 'sat']];
const csv = (rows: string[]) => `label,text\n${rows.map((r, i) => `${i % 2},${r}`).join('\n')}\n`;
const dataDir = makeDir({ 'train.csv': csv(['the cat sat .', 'a dog ran .', 'the big house']), 'valid.csv': csv(['the mat', 'a tree']), 'test.csv': csv(TEST_ROWS) });
const data = { kind: 'csv' as const, path: dataDir };
afterAll(() => removeDir(dataDir));

const igp = tinyModel('iso', { seed: 3, maxLen: 8 });
const dgp = tinyModel('diag', { seed: 4, maxLen: 6 });
const idOf = (w: string) => (WORDS.includes(w) ? WORDS.indexOf(w) + 3 : WORDS.indexOf('unk') + 3);

/** Reference NLL of one sentence: decoder_step.onnx run directly, batch 1, log-softmax in float64. */
async function refNll(dir: string, row: number[], z: Float32Array, H: number): Promise<number> {
  const s = await ort.InferenceSession.create(join(dir, 'decoder_step.onnx'));
  try {
    let h: Float32Array = new Float32Array(H);
    let c: Float32Array = new Float32Array(H);
    const inputs = [1, ...row.slice(0, -1)]; // <bos>, w1..wn
    let nll = 0;
    for (let t = 0; t < row.length; t++) {
      const out = await s.run({
        token: new ort.Tensor('int32', Int32Array.of(inputs[t]!), [1]), z: new ort.Tensor('float32', z, [1, z.length]),
        h: new ort.Tensor('float32', h, [1, H]), c: new ort.Tensor('float32', c, [1, H]),
      });
      const logits = Array.from(out.logits!.data as Float32Array);
      const lse = Math.log(logits.reduce((a, v) => a + Math.exp(v), 0));
      nll += lse - logits[row[t]!]!;
      h = out.h_out!.data as Float32Array;
      c = out.c_out!.data as Float32Array;
    }
    return nll;
  } finally {
    await s.release();
  }
}

const batchMeans = (v: number[], b: number) => {
  const means: number[] = [];
  for (let i = 0; i < v.length; i += b) means.push(v.slice(i, i + b).reduce((a, x) => a + x, 0) / v.slice(i, i + b).length);
  return means.reduce((a, x) => a + x, 0) / means.length;
};

describe('model report: figures against independent references', () => {
  it('teacherForcedNll equals a per-sentence loop over decoder_step (batches with rows of different lengths)', async () => {
    const model = await loadModel(igp.dir, { threads: 1 });
    try {
      const rows = KEPT.map((s) => [...s.map(idOf), 2]);
      const K = igp.cfg.latentDim;
      const rng = new Rng(7);
      const z = Float32Array.from({ length: rows.length * K }, () => 2 * rng.normal());
      const ours = await teacherForcedNll(model, rows.map((r) => Int32Array.from(r)), z, { batchSize: 2 });
      for (let i = 0; i < rows.length; i++) {
        const ref = await refNll(igp.dir, rows[i]!, z.slice(i * K, (i + 1) * K), igp.cfg.hiddenDim);
        expect(Math.abs(ours[i]! - ref), `sentence ${i}`).toBeLessThan(1e-4);
      }
      expect(model.vocab.decodeIds(tokensToIds(model.vocab, ['a', 'zebra', '<eos>']))).toEqual(['a', 'unk', 'unk']);
    } finally {
      await model.dispose();
    }
  });

  it('sampleLatents draws eps from one Rng(seed) stream, K per row in order', () => {
    const mean = Float32Array.of(0, 1, 2, 3);
    const logvar = Float32Array.of(0, Math.log(4), 0, Math.log(0.25));
    const r = new Rng(0);
    const eps = [r.normal(), r.normal(), r.normal(), r.normal()];
    const z = sampleLatents(mean, logvar, 0);
    expect(Array.from(z)).toEqual(Array.from(Float32Array.of(eps[0]!, 1 + 2 * eps[1]!, 2 + eps[2]!, 3 + 0.5 * eps[3]!)));
    expect(sampleLatents(mean, null, 0)).toEqual(mean);
  });

  it('Rec, KL, AU, input unk rate and the sentence set of the report match references', async () => {
    const counted = countingOrt();
    const open = (d: string) => loadModelFrom(nodePlatform(counted.ort), dirSource(d), { threads: 1 });
    const report = await modelReport([igp.dir, dgp.dir], { data, batchSize: 2, examples: ['the cat sat .'], open });
    // Every session the report opened is released.
    expect(counted.counts.created).toBeGreaterThan(0);
    expect(counted.counts.released).toBe(counted.counts.created);
    // Default max words: the smaller maxLen - 1 (dgp: 6 - 1); the kept sentences in split order.
    expect(report.maxWords).toBe(5);
    expect(report.sentences).toBe(5);
    expect(report.testSentences).toBe(8);
    expect(report.notes.join(' ')).toMatch(/does not record the training data/);
    const N = KEPT.length;
    for (const [i, fx] of [igp, dgp].entries()) {
      const row = report.rows[i]!;
      const K = fx.cfg.latentDim;
      const model = await loadModel(fx.dir, { threads: 1 });
      let enc;
      let recon;
      try {
        enc = await model.encode(KEPT.map((s) => s.join(' ')));
        recon = (await model.reconstruct(KEPT.map((s) => s.join(' ')))).map((d) => d.words);
      } finally {
        await model.dispose();
      }
      const { mean, logvar } = enc;
      const rng = new Rng(0);
      const rec: number[] = [];
      const kl: number[] = [];
      for (let n = 0; n < N; n++) {
        const z = new Float32Array(K);
        let k = 0;
        for (let d = 0; d < K; d++) {
          const mu = mean[n * K + d]!;
          const lv = logvar![n * K + d]!;
          z[d] = mu + Math.exp(lv / 2) * rng.normal();
          k += 0.5 * (mu * mu + Math.exp(lv) - 1 - lv);
        }
        kl.push(k);
        rec.push(await refNll(fx.dir, [...KEPT[n]!.map(idOf), 2], z, fx.cfg.hiddenDim));
      }
      expect(Math.abs(row.rec - batchMeans(rec, 2))).toBeLessThan(1e-4);
      expect(Math.abs(row.kl! - batchMeans(kl, 2))).toBeLessThan(1e-6);
      let au = 0;
      for (let d = 0; d < K; d++) {
        const col = Array.from({ length: N }, (_, n) => mean[n * K + d]!);
        const m = col.reduce((a, v) => a + v, 0) / N;
        if (col.reduce((a, v) => a + (v - m) ** 2, 0) / (N - 1) > 0.01) au++;
      }
      expect(row.au).toBe(au);
      expect(row.directions).toBeLessThanOrEqual(N - 1); // 5 means span at most 4 directions
      expect(row.unkInput).toBeCloseTo(2 / 13, 12); // zebra, quokka of 13 words
      // Greedy reconstructions from the mean, made here through the runtime's text path.
      expect(row.bleu2Words).toBe(bleu2(recon, KEPT));
      const words = recon.flat();
      expect(row.unkRecon).toBe(words.length === 0 ? 0 : words.filter((w) => w === 'unk').length / words.length);
      expect(row.sentences).toBe(5);
      expect([row.vocabSize, row.hiddenDim, row.latentDim, row.dtype, row.c]).toEqual([19, 8, 4, 'fp32', null]);
      expect(row.examples).toHaveLength(1);
    }
    const md = formatModelReport(report);
    expect(md).toContain(`| ${igp.dir} | fp32 | 19 | 6 | 8 | 4 | - | IGP |`);
    expect(md).toContain(`| ${dgp.dir} | fp32 | 19 | 6 | 8 | 4 | - | DGP |`);
    expect(md).toContain('- in: the cat sat .');
  });

  it('BLEU-2 against the words counts a generated unk as a miss; against unk references it matches (hand-computed)', () => {
    // s1: hyp a unk c d | words a b c d | unk ref a unk c d ; s2: hyp e f | words e f g | unk ref e f unk
    // words: unigrams 3/4 + 2/2 = 5/6, bigrams (c d) + (e f) = 2/4; c = 6, r = 7: BP = exp(1 - 7/6).
    // unk refs: p1 = 6/6, p2 = 4/4, same BP.
    const s = scoreReconstructions([['a', 'unk', 'c', 'd'], ['e', 'f']], [['a', 'b', 'c', 'd'], ['e', 'f', 'g']], [['a', 'unk', 'c', 'd'], ['e', 'f', 'unk']]);
    expect(s.bleu2Words).toBeCloseTo(Math.exp(-1 / 6) * Math.sqrt((5 / 6) * (2 / 4)), 12);
    expect(s.bleu2Unk).toBeCloseTo(Math.exp(-1 / 6), 12);
    expect(s.unkRecon).toBe(1 / 6);
    expect(s.unkInput).toBe(2 / 7);
    expect(() => scoreReconstructions([['a']], [], [['a']])).toThrow(RangeError);
  });

  it('selectSentences keeps the first n sentences of at most maxWords words, in order', () => {
    const all = [['a', 'b', 'c'], [], ['d'], ['e', 'f', 'g', 'h'], ['i', 'j'], ['k']];
    expect(selectSentences(all, 2, 2)).toEqual({ kept: [['d'], ['i', 'j']], shortEnough: 3 });
    expect(selectSentences(all, 3, 10).kept).toEqual([['a', 'b', 'c'], ['d'], ['i', 'j'], ['k']]);
    expect(() => selectSentences(all, 0, 1)).toThrow(RangeError);
  });
});

describe('model report: errors', () => {
  const expectCode = async (p: Promise<unknown>, code: string, msg: RegExp) => {
    const err = await p.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(IsovaeError);
    expect((err as IsovaeError).code).toBe(code);
    expect((err as Error).message).toMatch(msg);
  };

  it('a missing or non-directory model dir is E_MANIFEST naming it, before any work', async () => {
    await expectCode(modelReport([igp.dir, '/no/such/model'], { data }), 'E_MANIFEST', /\/no\/such\/model: no such model directory/);
    await expectCode(modelReport([join(igp.dir, 'vocab.txt')], { data }), 'E_MANIFEST', /is a file, not a model directory/);
  });

  it('too few sentences after the length filter is E_DATA_EMPTY saying what to do', async () => {
    await expectCode(modelReport([igp.dir], { data, maxWords: 1 }), 'E_DATA_EMPTY', /1 of the 8 test sentences have at most 1 words.*--max-words/);
    await expect(modelReport([igp.dir], { data, sentences: 1 })).rejects.toThrow(/sentences must be an integer >= 2/);
  });

  it('the CLI rejects unknown --data, --dtypes and a call without models', async () => {
    await expectCode(runEvaluate([igp.dir, '--data', '/no/such/data']), 'E_DATA_MISSING', /--data "\/no\/such\/data": no such directory. Use brown, csv:<dir>/);
    await expect(runEvaluate([igp.dir, '--dtypes', 'fp64'])).rejects.toThrow(/--dtypes: unknown dtype "fp64"/);
    await expect(runEvaluate([])).rejects.toThrow(/at least one model directory/);
    await expectCode(runEvaluate(['--models-index', '/no/such/index.json']), 'E_INPUT', /no such file/);
  });
});

describe('isovae evaluate (CLI)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('takes models from a models index plus given dirs, prints the table and writes --json and --markdown', async () => {
    const root = makeDir({});
    try {
      const { files } = buildFixtureFiles(igp.cfg, igp.weights, igp.vocab, igp.maxLen);
      mkdirSync(join(root, 'igp'));
      for (const [name, bytes] of Object.entries(files)) writeFileSync(join(root, 'igp', name), bytes);
      writeFileSync(join(root, 'index.json'), JSON.stringify({ format: 'isovae-models-index', formatVersion: 1, models: [{ dir: 'igp', title: 'IGP', dtypes: ['int8'] }] }));
      expect(dirsFromIndex(join(root, 'index.json'), ['fp32', 'int8'])).toEqual([join(root, 'igp'), join(root, 'igp', 'int8')]);
      expect(dirsFromIndex(join(root, 'index.json'), ['fp16'])).toEqual([]);
      let stdout = '';
      vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const json = join(root, 'r.json');
      const md = join(root, 'r.md');
      await runEvaluate([dgp.dir, '--models-index', join(root, 'index.json'), '--dtypes', 'fp32', '--data', `csv:${dataDir}`, '--sentences', '4', '--threads', '1', '--json', json, '--markdown', md]);
      const r = JSON.parse(readFileSync(json, 'utf8')) as { format: string; sentences: number; maxWords: number; rows: Array<{ dir: string; rec: number }> };
      expect(r.format).toBe('isovae-model-report');
      expect(r.rows.map((x) => x.dir)).toEqual([dgp.dir, join(root, 'igp')]);
      expect([r.sentences, r.maxWords]).toEqual([4, 5]);
      expect(stdout).toContain(`| ${dgp.dir} | fp32 |`);
      expect(stdout).toContain(`| ${join(root, 'igp')} | fp32 |`);
      const mdText = readFileSync(md, 'utf8');
      expect(mdText.startsWith(`# Model report\n\nMade by \`isovae evaluate ${dgp.dir} --models-index`)).toBe(true);
      expect(mdText).toContain(stdout.split('\n').find((l) => l.startsWith(`| ${dgp.dir}`))!);
    } finally {
      removeDir(root);
    }
  });

  it('names a wrapper\'s rerun command in the Markdown and JSON when given one (npm run report:models)', async () => {
    const root = makeDir({});
    try {
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      const json = join(root, 'r.json');
      const md = join(root, 'r.md');
      await runEvaluate([dgp.dir, '--data', `csv:${dataDir}`, '--sentences', '2', '--threads', '1', '--json', json, '--markdown', md], 'npm run report:models -- --threads 1');
      expect(readFileSync(md, 'utf8').startsWith('# Model report\n\nMade by `npm run report:models -- --threads 1` (rerun it')).toBe(true);
      expect((JSON.parse(readFileSync(json, 'utf8')) as { command: string }).command).toBe('npm run report:models -- --threads 1');
    } finally {
      removeDir(root);
    }
  });
});
