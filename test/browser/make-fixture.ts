/**
 * Regenerate the committed browser-test fixture: two tiny models (IGP and DGP, same C) trained with
 * train/ on the team-written corpus of fixture-corpus.ts, exported with export/ (validated against
 * tfjs), each with a map.json of its test means and its int8 / fp16 variants (<dir>/int8, <dir>/fp16, accuracy
 * measured on the fixture test split), plus index.json. Deterministic for the seeds here.
 * `--variants-only`: keep the trained models, only re-make the int8 / fp16 variants and index.json.
 *   npx tsx test/browser/make-fixture.ts [outDir=test/browser/fixtures/models]
 * Takes about a minute on 2 cores.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { resolveTrainConfig } from '../../core/config.ts';
import { exportModel, formatAccuracy, writeVariants } from '../../export/index.ts';
import { loadModel } from '../../runtime/index.ts';
import { trainModel } from '../../train/trainer.ts';
import { buildIndex } from '../../web-demo/scripts/make-index.ts';
import { buildMapJson } from '../../web-demo/scripts/map-json.ts';
import { CLASSES, classesTxt, fixtureCorpus, toCsv } from './fixture-corpus.ts';

const variantsOnly = process.argv.includes('--variants-only');
const outDir = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? join(import.meta.dirname, 'fixtures', 'models');
const work = mkdtempSync(join(tmpdir(), 'isovae-browser-fixture-'));
try {
  const corpus = fixtureCorpus();
  const data = join(work, 'data');
  mkdirSync(data);
  for (const split of ['train', 'valid', 'test'] as const) writeFileSync(join(data, `${split}.csv`), toCsv(corpus[split]));
  writeFileSync(join(data, 'classes.txt'), classesTxt());
  mkdirSync(outDir, { recursive: true });
  for (const [name, posterior] of [['igp', 'iso'], ['dgp', 'diag']] as const) {
    if (variantsOnly) {
      await variants(join(outDir, name), corpus.test.map((r) => r.text));
      continue;
    }
    const values = {
      posterior, c: 10, cSteps: 300, embeddingDim: 24, hiddenDim: 48, latentDim: 8, vocabWords: 200, maxLen: 12,
      batchSize: 32, epochs: 60, lr: 5e-3, seed: 3, data: { kind: 'csv', path: data }, outDir: join(work, name), backend: 'wasm',
    };
    const cfg = resolveTrainConfig({ source: 'make-fixture.ts', values });
    const command = `test/browser/make-fixture.ts (${JSON.stringify({ ...values, data: 'fixture-corpus.ts', outDir: undefined })})`;
    const res = await trainModel(cfg, { command, onProgress: () => {}, log: () => {} });
    console.log(`${name}: test ${JSON.stringify(res.test)}`);
    const modelDir = join(outDir, name);
    rmSync(modelDir, { recursive: true, force: true });
    await exportModel(res.checkpoint, modelDir, { backend: 'wasm' });
    const model = await loadModel(modelDir);
    try {
      const texts = corpus.test.map((r) => r.text);
      const { mean, k } = await model.encode(texts);
      const map = buildMapJson(mean, texts.length, k, corpus.test.map((r) => r.label), CLASSES);
      writeFileSync(join(modelDir, 'map.json'), JSON.stringify(map));
      const au = map.variances.filter((v) => v > 0.01).length;
      const rec = await model.reconstruct(corpus.test.slice(0, 4).map((r) => r.text));
      console.log(`${name}: AU ${au}/${k}; ${rec.map((r, i) => `${corpus.test[i]!.text} -> ${r.text}`).join(' | ')}`);
    } finally {
      await model.dispose();
    }
    await variants(modelDir, corpus.test.map((r) => r.text));
  }
  // Titles say what these are: the demo falls back to them when models/index.json is missing.
  const index = buildIndex(outDir);
  for (const m of index.models) m.title = `${m.title} · tiny test model`;
  writeFileSync(join(outDir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}

/**
 * The int8 / fp16 variants of one fixture model, measured on the fixture test split. The two fixture models hold the
 * two int8 schemes, so that the browser test checks both against onnxruntime-node: igp weight-only (the shipped
 * models' scheme, what the demo loads on WASM), dgp dynamic (int8 arithmetic).
 */
async function variants(modelDir: string, texts: string[]): Promise<void> {
  const int8Scheme = basename(modelDir) === 'dgp' ? 'dynamic' : 'weight-only';
  const reports = await writeVariants(modelDir, { inputs: texts, source: 'fixture-corpus.ts test split' }, { int8Scheme });
  for (const r of Object.values(reports)) console.log(formatAccuracy(r));
}
