/**
 * Build the shipped default models in models/ from finished training runs:
 *   npx tsx scripts/ship-models.ts <name>=<runDir> [<name>=<runDir> ...]
 * For each run: export to models/<name>/ (ONNX graphs, manifest with the training command, vocab; validated
 * against tfjs), then write models/<name>/map.json: 2-D PCA coordinates and class labels of (at most 2,000)
 * test-set posterior means — no text —, the PCA projection (mean and 2 directions, so the web demo can place
 * a new sentence), and the per-dimension variances of the test means (active units: variance > 0.01).
 * Then the int8 and fp16 variants the web demo uses (models/<name>/int8, models/<name>/fp16), each with its
 * accuracy contract against fp32 measured on 1,000 test sentences (fails on a failed contract).
 * Finally models/index.json lists the shipped models and their variants (web-demo/src/formats.ts).
 *   npx tsx scripts/ship-models.ts --variants-only <name> ...   re-makes only the variants of shipped models.
 * Options (before the names): `--no-fused` leaves out encoder_fused.onnx (a CPU speed-up that doubles the encoder's
 * size), `--dtypes int8` writes only the listed variants (default int8,fp16; `none`: fp32 only): the 25 MB budget of models/;
 * `--scheme dynamic|weight-only` (default weight-only) and `--block-size n` (weight-only, default 32) choose the int8
 * scheme; `--min-exact-match x`, `--min-token-agreement x` override the variants' greedy-agreement thresholds (recorded in
 * their manifests; BLEU-2, AU and cosine keep their defaults).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { activeUnits } from '../eval/index.ts';
import { buildIndex } from '../web-demo/scripts/make-index.ts';
import { buildMapJson } from '../web-demo/scripts/map-json.ts';
import { contractSentences, exportModel, formatAccuracy, writeVariants } from '../export/index.ts';
import type { WeightDtype } from '../onnx/quantize.ts';
import { parseInt8Flags } from '../cli/accuracy-flags.ts';
import type { AccuracyThresholds } from '../export/accuracy.ts';
import { initBackend } from '../train/backend.ts';
import { loadCheckpoint } from '../train/checkpoint.ts';
import { loadDataset } from '../train/data/index.ts';
import { encodeRows } from '../train/encode.ts';
import { TfModel } from '../train/model.ts';

const MAX_POINTS = 2000;

/** The int8 / fp16 variants of models/<name>, measured on the model's own test split. */
async function variants(outDir: string, dtypes: readonly WeightDtype[], thresholds: Partial<AccuracyThresholds>): Promise<void> {
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { training?: unknown };
  const sentences = await contractSentences({ training: manifest.training, vocabText: readFileSync(join(outDir, 'vocab.txt'), 'utf8') });
  const reports = await writeVariants(outDir, sentences, { dtypes, thresholds, ...int8 });
  for (const r of Object.values(reports)) console.log(`${outDir}: ${formatAccuracy(r)}`);
}

const { values: opt, positionals: args } = parseArgs({
  allowPositionals: true,
  options: {
    'no-fused': { type: 'boolean', default: false }, 'variants-only': { type: 'boolean', default: false },
    dtypes: { type: 'string', default: 'int8,fp16' }, 'min-exact-match': { type: 'string' }, 'min-token-agreement': { type: 'string' },
    scheme: { type: 'string' }, 'block-size': { type: 'string' },
  },
});
const int8 = parseInt8Flags('ship-models', opt, 'int8');
const fraction = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(x >= 0 && x <= 1)) throw new RangeError(`--${flag} "${v}": expected a fraction in [0, 1]`);
  return x;
};
const fused = !opt['no-fused'];
const dtypes: WeightDtype[] = opt.dtypes === 'none' ? [] : opt.dtypes!.split(',').map((d) => {
  if (d !== 'int8' && d !== 'fp16') throw new RangeError(`--dtypes "${opt.dtypes}": expected int8 and/or fp16, or none`);
  return d;
});
const thresholds: Partial<AccuracyThresholds> = {};
const minExactMatch = fraction('min-exact-match', opt['min-exact-match']);
const minTokenAgreement = fraction('min-token-agreement', opt['min-token-agreement']);
if (minExactMatch !== undefined) thresholds.minExactMatch = minExactMatch;
if (minTokenAgreement !== undefined) thresholds.minTokenAgreement = minTokenAgreement;
if (opt['variants-only']) {
  for (const name of args) await variants(join('models', name), dtypes, thresholds);
  writeFileSync(join('models', 'index.json'), JSON.stringify(buildIndex('models'), null, 2) + '\n');
  process.exit(0);
}
await initBackend('wasm');
for (const arg of args) {
  const [name, runDir] = arg.split('=');
  if (!name || !runDir) throw new RangeError(`argument "${arg}": expected <name>=<runDir>`);
  const ck = loadCheckpoint(runDir);
  if (!ck.state.finished) throw new RangeError(`${runDir}: training has not finished; resume it first`);
  const outDir = join('models', name);
  const { parity } = await exportModel(ck.dir, outDir, { fusedEncoder: fused });
  if (parity && !parity.ok) throw new Error(`${name}: export parity failed`);
  const ds = await loadDataset(ck.train.data, { vocabWords: ck.train.vocabWords, maxLen: ck.train.maxLen, seed: ck.train.dataSeed });
  const model = new TfModel(ck.model, ck.weights);
  const stride = Math.max(1, ds.test.ids.length / MAX_POINTS);
  const pick = Array.from({ length: Math.min(MAX_POINTS, ds.test.ids.length) }, (_, i) => Math.floor(i * stride));
  const allMeans = encodeRows(model.params, ck.model, ds.test.ids);
  model.dispose();
  const K = ck.model.latentDim;
  const au = activeUnits(allMeans.mean, allMeans.n, K);
  const sub = new Float32Array(pick.length * K);
  pick.forEach((row, j) => sub.set(allMeans.mean.subarray(row * K, (row + 1) * K), j * K));
  // The map shows a subsample; the active-unit variances come from every test sentence.
  const map = { ...buildMapJson(sub, pick.length, K, pick.map((row) => ds.test.labels[row]!), ds.classes), variances: Array.from(au.variances) };
  writeFileSync(join(outDir, 'map.json'), JSON.stringify(map) + '\n');
  if (dtypes.length > 0) await variants(outDir, dtypes, thresholds);
  const bytes = readdirSync(outDir).reduce((a, f) => a + (statSync(join(outDir, f)).isFile() ? statSync(join(outDir, f)).size : 0), 0);
  console.log(`${name}: ${(bytes / 1e6).toFixed(2)} MB, AU ${au.count}/${K}, test ${JSON.stringify(ck.metrics ?? {})}`);
}
writeFileSync(join('models', 'index.json'), JSON.stringify(buildIndex('models'), null, 2) + '\n');
