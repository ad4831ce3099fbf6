/**
 * Does the isotropy score IS(V) (protocol §4.7, eval/isotropy.ts) stay low because the codes are off centre? A check
 * beyond the paper, on finished reproduction runs: for each run directory it encodes the run's evaluated test rows
 * (the same rows and checkpoint as `isovae reproduce`) and prints IS of the posterior means and of one sample per
 * sentence three ways:
 *   - raw: the paper's definition, uncentred (must equal the run's recorded `isotropy`, a consistency check);
 *   - centred: the aggregated mean (1/N) sum_i v_i subtracted from every code;
 *   - centred + unit RMS: centred, then divided by sqrt((1/N) sum_i |v_i - mean|^2), so that models whose codes
 *     spread at different scales are compared at the same scale (IS is not scale-invariant: protocol §4.7).
 * It also prints |aggregated mean|^2, the RMS norm of the centred codes, and what IS of the centred codes would be if
 * they were Gaussian: Z(m) = N exp(m^T Cov m / 2) for a centred Gaussian, so IS = exp(-(lambda_max - lambda_min) / 2)
 * with lambda the eigenvalues of their covariance. When that matches, the score is set by the spread of the code
 * covariance's eigenvalues (in absolute units), not by the shape of the distribution.
 *
 *   npx tsx scripts/isotropy-check.ts --data csv:../shared/data/dbpedia --scale paper-dims \
 *     runs/repro-dbpedia-paper-dims/runs/diag-15-s0 runs/repro-dbpedia-paper-dims/runs/iso-15-s0 [--markdown F]
 *
 * Needs the run directories (checkpoints are not committed), so it reruns on the machine that trained them.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseDataSource } from '../cli/data-arg.ts';
import { isotropyScore, reparameterize, seededUniform } from '../eval/index.ts';
import { evalIndices } from '../reproduce/evaluate.ts';
import { presetOf, SCALES, type Scale } from '../reproduce/presets.ts';
import { readRunRecord } from '../reproduce/records.ts';
import { initBackend } from '../train/backend.ts';
import { loadCheckpoint } from '../train/checkpoint.ts';
import { loadDataset } from '../train/data/index.ts';
import { encodeRows } from '../train/encode.ts';
import { TfModel } from '../train/model.ts';

/** The three variants of a code matrix `[N, K]`: raw, centred, centred and scaled to unit RMS norm. */
function variants(V: ArrayLike<number>, N: number, K: number): { raw: Float64Array; centred: Float64Array; unit: Float64Array; meanSq: number; rms: number } {
  const raw = Float64Array.from(V);
  const mu = new Float64Array(K); // [K] aggregated mean
  for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) mu[k] = (mu[k] as number) + (raw[i * K + k] as number) / N;
  const centred = new Float64Array(N * K);
  let ss = 0;
  for (let i = 0; i < N; i++) {
    for (let k = 0; k < K; k++) {
      const d = (raw[i * K + k] as number) - (mu[k] as number);
      centred[i * K + k] = d;
      ss += d * d;
    }
  }
  const rms = Math.sqrt(ss / N);
  const unit = centred.map((x) => x / rms);
  let meanSq = 0;
  for (let k = 0; k < K; k++) meanSq += (mu[k] as number) ** 2;
  return { raw, centred, unit, meanSq, rms };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const dataArg = arg('--data');
const scaleArg = arg('--scale') ?? 'paper-dims';
const markdown = arg('--markdown');
const valued = new Set(['--data', '--scale', '--markdown']);
const dirs = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !valued.has(all[i - 1] ?? ''));
if (!dataArg || dirs.length === 0) {
  console.error('usage: npx tsx scripts/isotropy-check.ts --data <source> [--scale paper-dims] [--markdown F] <runDir>...');
  process.exit(2);
}
if (!(SCALES as readonly string[]).includes(scaleArg)) {
  console.error(`--scale: expected one of ${SCALES.join(', ')}, got ${scaleArg}`);
  process.exit(2);
}
const p = presetOf(scaleArg as Scale).train;
await initBackend('auto');
const ds = await loadDataset(parseDataSource(dataArg), { vocabWords: p.vocabWords!, maxLen: p.maxLen!, seed: 0 });

const fmt = (x: number) => x.toFixed(3);
const lines = [
  '| run | codes | N | raw IS (recorded) | raw IS | centred IS | centred + unit RMS IS | Gaussian IS, centred | λ max / min of Cov | \\|aggregated mean\\|² | RMS norm, centred |',
  '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
];
for (const dir of dirs) {
  const ck = loadCheckpoint(dir);
  const rec = readRunRecord(dir);
  const rows = evalIndices(ds.test.ids.length, ck.train.maxEvalSentences).map((i) => ds.test.ids[i]!);
  const N = rows.length;
  const K = ck.model.latentDim;
  const model = new TfModel(ck.model, ck.weights);
  let enc;
  try {
    enc = encodeRows(model.params, ck.model, rows, ck.train.batchSize);
  } finally {
    model.dispose();
  }
  // The evaluation's stream (eval/run-metrics.ts): 5 aggregated-posterior repeats, then Table 3's sample.
  const rng = seededUniform(0);
  for (let r = 0; r < 5; r++) reparameterize(enc.mean, enc.logvar, N, K, rng);
  const sample = reparameterize(enc.mean, enc.logvar, N, K, rng);
  for (const [what, V, recorded] of [
    ['means', enc.mean, rec?.metrics.isotropy.mean],
    ['samples', sample, rec?.metrics.isotropy.sample],
  ] as const) {
    const v = variants(V, N, K);
    const is = (x: Float64Array) => isotropyScore(x, N, K);
    const centred = is(v.centred);
    // Eigenvalues of V^T V of the centred codes, descending; divided by N they are those of their covariance.
    const lmax = (centred.eigenvalues[0] as number) / N;
    const lmin = (centred.eigenvalues[K - 1] as number) / N;
    const cells = [basename(dir), what, String(N), recorded === undefined ? '-' : fmt(recorded), fmt(is(v.raw).score), fmt(centred.score), fmt(is(v.unit).score),
      fmt(Math.exp(-(lmax - lmin) / 2)), `${lmax.toFixed(2)} / ${lmin.toFixed(3)}`, fmt(v.meanSq), fmt(v.rms)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  console.error(`${dir}: done`);
}
const table = lines.join('\n') + '\n';
process.stdout.write(table);
if (markdown) writeFileSync(markdown, table);
