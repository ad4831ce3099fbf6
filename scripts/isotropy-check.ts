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
import { evaluationDraws, isotropyScore, squaredNormOfMean } from '../eval/index.ts';
import { encodeCheckpointTest } from '../reproduce/evaluate.ts';
import { presetOf, SCALES, type Scale } from '../reproduce/presets.ts';
import { readRunRecord } from '../reproduce/records.ts';
import { initBackend } from '../train/backend.ts';
import { loadCheckpoint } from '../train/checkpoint.ts';
import { loadDataset } from '../train/data/index.ts';

/** Centred copies of a code matrix `[N, K]`: as is, and scaled to unit RMS norm (`rms`: that norm before scaling). */
function centred(V: ArrayLike<number>, N: number, K: number): { centred: Float64Array; unit: Float64Array; rms: number } {
  const mu = new Float64Array(K); // [K] aggregated mean
  for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) mu[k] = (mu[k] as number) + (V[i * K + k] as number) / N;
  const c = Float64Array.from(V, (x, j) => x - (mu[j % K] as number));
  const rms = Math.sqrt(c.reduce((s, x) => s + x * x, 0) / N);
  return { centred: c, unit: c.map((x) => x / rms), rms };
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
  const enc = encodeCheckpointTest(ck, ds);
  const { n: N, k: K } = enc;
  const { sample } = evaluationDraws(enc.mean, enc.logvar, N, K); // the sample the run's Table 3 was scored on
  for (const [what, V, recorded] of [
    ['means', enc.mean, rec?.metrics.isotropy.mean],
    ['samples', sample, rec?.metrics.isotropy.sample],
  ] as const) {
    const v = centred(V, N, K);
    const is = (x: ArrayLike<number>) => isotropyScore(x, N, K);
    const c = is(v.centred);
    // Eigenvalues of V^T V of the centred codes, descending; divided by N they are those of their covariance.
    const lmax = (c.eigenvalues[0] as number) / N;
    const lmin = (c.eigenvalues[K - 1] as number) / N;
    const cells = [basename(dir), what, String(N), recorded === undefined ? '-' : fmt(recorded), fmt(is(V).score), fmt(c.score), fmt(is(v.unit).score),
      fmt(Math.exp(-(lmax - lmin) / 2)), `${lmax.toFixed(2)} / ${lmin.toFixed(3)}`, fmt(squaredNormOfMean(V, N, K)), fmt(v.rms)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  console.error(`${dir}: done`);
}
const table = lines.join('\n') + '\n';
process.stdout.write(table);
if (markdown) writeFileSync(markdown, table);
