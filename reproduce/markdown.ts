/**
 * The Markdown of the reproduction report, generated from results.json's content only (so the
 * tables and the JSON cannot disagree). Cells are "mean±std" over training seeds (population std)
 * via eval/ `formatMeanStd`; a single run prints its value; "-" marks a missing value.
 */
import { formatMeanStd, markdownTable, type MeanStd } from '../eval/index.ts';
import type { Qualitative } from './qualitative.ts';
import { PAPER_RAMP_FRACTION } from './presets.ts';
import { TABLE4_COLUMNS, modelLabel, type ReproduceResults } from './results.ts';

/** Decimals per quantity, shared by the report and its test. */
export const DIGITS = { rec: 2, kl: 2, au: 1, bleu2: 2, bleu4: 2, rouge2: 2, rouge4: 2, meanSqNorm: 3, logDet: 2, isotropy: 3, accuracy: 1 } as const;

const f = (v: MeanStd | null, d: number): string => formatMeanStd(v, d);
const p = (v: { mean: number; std: number } | null | undefined, d: number): string => (v ? `${v.mean.toFixed(d)}±${v.std.toFixed(d)}` : '-');
const n = (v: number | null | undefined, d: number): string => (v === null || v === undefined ? '-' : v.toFixed(d));

/** The report's README.md. `qualitative` holds the examples that may be printed (Brown only). */
export function reportMarkdown(r: ReproduceResults, qualitative: ReadonlyMap<string, Qualitative>): string {
  const t = r.tables;
  const paperName = r.paper === 'dbpedia' ? 'DBpedia' : 'Yahoo';
  const tc = r.preset.train;
  const first = r.runs[0];
  const out: string[] = [];
  out.push(`# isovae reproduction: ${r.dataset}, scale \`${r.scale}\`\n`);
  out.push(`Generated ${r.generated} by \`${r.command || 'isovae reproduce'}\`. Runs finished: **${r.runsDone} of ${r.runsTotal}** (seeds ${r.seeds.join(', ')}).`);
  out.push(`Every cell is mean±std over training seeds (population std, as the paper); one seed prints its value. The paper's rows are its ${paperName} numbers (protocol §5).\n`);
  if (r.notes.trim() !== '') out.push(r.notes.trim() + '\n');
  out.push('## Configuration\n');
  out.push(markdownTable(['setting', 'value'], [
    ['model', `E=${tc.embeddingDim} H=${tc.hiddenDim} K=${tc.latentDim}, ${tc.vocabWords} vocabulary words (V = ${(tc.vocabWords ?? 0) + 3}), max ${tc.maxLen} words`],
    ['training', `batch ${tc.batchSize}, ${tc.epochs} epochs, Adam lr ${tc.lr ?? 5e-4}; C warm-up ${r.preset.ramp === 'fixed' ? `${tc.cSteps} steps (paper)` : `${(PAPER_RAMP_FRACTION * 100).toFixed(1)}% of each run's steps (the paper's 5000 of 21,880)`}`],
    ['data', first ? `${first.trainSentences} training sentences (grid runs), ${first.testSentences} test sentences evaluated, T_test = ${first.tTest}` : '-'],
    ['classification', `${r.preset.classifiers} classifiers per encoder (paper: 10), 128-128 ReLU MLP on test means, 64% / 16% / 20% split`],
    ['sample efficiency', `DGP and IGP at C=15 trained on ${r.fractions.map((x) => `${x * 100}%`).join(', ')} of the training split (seeded subset per seed), same epochs, C warm-up scaled to the run's steps; classifier protocol unchanged on the full test set`],
  ]));
  out.push(`## Table 4: reconstruction and active units\n`);
  out.push('Rec is nats per sentence (one sampled z, incl. `<eos>`); BLEU / ROUGE x100 on greedy reconstructions from the mean.\n');
  out.push(markdownTable(['model', 'runs', 'Rec.', 'KL', 'AU', 'BLEU-2', 'BLEU-4', 'ROUGE-2', 'ROUGE-4'], t.table4.flatMap((row) => [
    [`${row.label} (ours)`, String(row.runs), ...TABLE4_COLUMNS.map((c) => f(row.ours[c], DIGITS[c]))],
    [`${row.label} (paper)`, '3', ...TABLE4_COLUMNS.map((c) => p(row.paper?.[c] ?? null, DIGITS[c]))],
  ])));
  out.push(`## Table 2: aggregated posterior [‖μ‖², log det Cov[q(z)]]\n`);
  out.push('Mean of 5 repeats of one z ~ q(z|x) per test sentence. The paper reports C=15 only.\n');
  out.push(markdownTable(['model', '‖μ‖² (ours)', 'log det (ours)', '‖μ‖² (paper)', 'log det (paper)'], t.table2.map((row) => [
    row.label, f(row.ours.meanSqNorm, DIGITS.meanSqNorm), f(row.ours.logDet, DIGITS.logDet), n(row.paper?.meanSqNorm, 2), n(row.paper?.logDet, 2),
  ])));
  out.push(`## Table 3: isotropy score IS(V)\n`);
  out.push('V not centred, both signs of each eigenvector. Sample: one z ~ q(z|x) per test sentence; Mean: posterior means. The AE has one value (its codes).\n');
  out.push(markdownTable(['model', 'Sample (ours)', 'Mean (ours)', 'Mean, canonical signs (ours)', 'Sample (paper)', 'Mean (paper)'], t.table3.map((row) => [
    row.label, f(row.ours.sample, DIGITS.isotropy), f(row.ours.mean, DIGITS.isotropy), f(row.ours.meanCanonical, DIGITS.isotropy), n(row.paper?.sample, 3), n(row.paper?.mean, 3),
  ])));
  out.push(`## Active units vs active directions (diagnostic beyond the paper)\n`);
  out.push('AU counts coordinate axes whose mean varies (variance > 0.01). The IGP\'s KL is invariant to rotations of z, so nothing aligns its code with the axes, and a low-dimensional code at an angle to them has variance on every axis. *Active directions* count the eigenvalues of the covariance of the test means above the same 0.01, and the *effective rank* (Σλ)²/Σλ² says over how many directions the variance is really spread (32 for an isotropic cloud, 1 for a single direction).\n');
  out.push(markdownTable(['model', 'AU (axes)', 'active directions', 'effective rank'], t.spectrum.map((row) => [
    row.label, f(row.au, DIGITS.au), f(row.directions, DIGITS.au), f(row.effectiveRank, 2),
  ])));
  out.push(`## Classification and robustness (accuracy %)\n`);
  out.push(`Per encoder: mean of ${r.preset.classifiers} classifiers; cells: mean±std over encoders. Robustness: 30% word deletion on the test sentences, classifiers trained and tested on the perturbed means. The paper gives clean accuracies only as a plot (Fig. 2) and robustness for one C (presumably 15).\n`);
  out.push('The last two columns are a **diagnostic beyond the paper**: the same protocol on per-dimension standardised means (z-scores over the test set). The paper\'s MLP sees raw means; when they barely vary (an undertrained or collapsed encoder) it cannot use them, while the standardised features show whether the information is there.\n');
  out.push(markdownTable(['model', 'clean (ours)', '30% deletion (ours)', '30% deletion (paper)', 'clean, standardised', '30% deletion, standardised'], t.classification.map((row) => [
    row.label, f(row.clean, DIGITS.accuracy), f(row.robust, DIGITS.accuracy), n(row.paperRobust, 1), f(row.cleanStd, DIGITS.accuracy), f(row.robustStd, DIGITS.accuracy),
  ])));
  out.push(`## Sample efficiency (C=15)\n`);
  out.push('The paper (DBpedia): IGP − DGP gap > 7 points at 0.1%, ≈ 4 points at 100%.\n');
  out.push(markdownTable(['training data', 'DGP (ours)', 'IGP (ours)', 'IGP − DGP', 'DGP, standardised', 'IGP, standardised'], t.sampleEfficiency.map((row) => [
    `${row.fraction * 100}%`, f(row.diag, DIGITS.accuracy), f(row.iso, DIGITS.accuracy), n(row.gap, DIGITS.accuracy), f(row.diagStd, DIGITS.accuracy), f(row.isoStd, DIGITS.accuracy),
  ])));
  if (r.images.sampleEfficiency) out.push(`![sample efficiency](${r.images.sampleEfficiency})\n`);
  out.push(seedTestSection(t.seedTests ?? []));
  out.push(`## 2-D maps of the test means (C=15)\n`);
  if (r.images.maps.length === 0) out.push('No C=15 runs finished yet.\n');
  for (const method of ['pca', 'tsne'] as const) {
    const ms = r.images.maps.filter((m) => m.method === method);
    if (ms.length > 0) out.push(`${method === 'pca' ? 'PCA' : 't-SNE'}: ${ms.map((m) => `![${modelLabel(m.model)} ${method}](${m.file})`).join(' ')}\n`);
  }
  out.push(qualitativeSection(r, qualitative));
  out.push(`## Runs\n`);
  out.push(markdownTable(['run', 'train sentences', 'train s', 'eval s', 'AU', 'KL', 'Rec.', 'BLEU-2', 'accuracy %'], r.runs.map((x) => [
    x.id, String(x.trainSentences), n(x.timing.trainSeconds, 0), n(x.timing.evalSeconds, 0), String(x.metrics.au), n(x.metrics.kl, 2), n(x.metrics.rec, 2),
    n(x.metrics.reconstruction ? x.metrics.reconstruction.bleu2 * 100 : null, 2), n(x.metrics.classification ? x.metrics.classification.mean * 100 : null, 1),
  ])));
  out.push('Machine-readable: `results.json` (every run\'s metrics and these tables). Protocol: `shared/spec/paper-protocol.md` §4; decisions in `reproduce/README.md`.\n');
  return out.join('\n');
}

/** The seed tests' section: one table per C at which both DGP and IGP have at least 2 seeds. */
export function seedTestSection(tests: NonNullable<ReproduceResults['tables']['seedTests']>): string {
  const out = ['## Seed tests: IGP vs DGP (Welch\'s t over training seeds)\n'];
  if (tests.length === 0) {
    out.push('Needs at least 2 seeds of both DGP and IGP at the same C.\n');
    return out.join('\n');
  }
  out.push('Welch\'s two-sample t-test (unequal variances, sample variances with n − 1, Welch–Satterthwaite degrees of freedom), two-sided, of each metric\'s mean over the training seeds. With 3 seeds a side there are only 2-4 degrees of freedom: a gap needs to be large and consistent across seeds to reach p < 0.05, and a large p says the seeds cannot tell, not that the models are the same. The tests are not corrected for multiple comparisons.\n');
  for (const st of tests) {
    const runs = (side: 'diag' | 'iso') => st.rows[0]?.[side].n ?? 0;
    out.push(`C=${st.c} (DGP ${runs('diag')} seeds, IGP ${runs('iso')} seeds):\n`);
    out.push(markdownTable(['metric', 'DGP', 'IGP', 'IGP − DGP', "Welch's t", 'df', 'p (two-sided)'], st.rows.map((row) => [
      row.label, p(row.diag, 3), p(row.iso, 3), row.diff.toFixed(3), Number.isFinite(row.t) ? row.t.toFixed(2) : String(row.t), Number.isFinite(row.df) ? row.df.toFixed(1) : '-', formatP(row.p),
    ])));
  }
  return out.join('\n');
}

/** A p-value to 2 significant digits ("< 0.001" below that). */
export function formatP(v: number): string {
  if (v < 0.001) return '< 0.001';
  return v >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
}

function qualitativeSection(r: ReproduceResults, q: ReadonlyMap<string, Qualitative>): string {
  const out = ['## Qualitative: word imputation, homotopy, prior samples\n'];
  const seed = Math.min(...r.seeds);
  const iso = q.get(`iso-15-s${seed}`);
  const diag = q.get(`diag-15-s${seed}`);
  if (!iso || !diag) {
    out.push(r.dataset === 'brown'
      ? 'The C=15 runs have not finished yet.\n'
      : `Not printed for \`${r.dataset}\`: its sentences come from a third-party dataset. Each run's \`runs/<id>/qualitative.json\` holds them.\n`);
    return out.join('\n');
  }
  out.push(`C=15, seed ${seed}, 75% of the words imputed (prop = 1, the paper's Table 1 setting). *intended*: the encoder sees the prefix + \`<eos>\` (the paper's description); *code*: without \`<eos>\`, as the paper's code (z is then the mean-head bias).\n`);
  const rows: string[][] = [];
  for (const im of iso.imputations.filter((x) => x.prop === 1)) {
    const d = diag.imputations.find((x) => x.sentence === im.sentence && x.prop === 1);
    rows.push([im.reference, im.prefix, im.intended, d?.intended ?? '-', im.faithful, d?.faithful ?? '-']);
  }
  out.push(markdownTable(['test sentence', 'kept prefix', 'IGP (intended)', 'DGP (intended)', 'IGP (code)', 'DGP (code)'], rows));
  out.push(`Linear homotopy (IGP C=15) from "${iso.homotopy.from}" to "${iso.homotopy.to}":\n`);
  out.push(iso.homotopy.steps.map((s, i) => `${i}. ${s || '(empty)'}`).join('\n') + '\n');
  out.push('Prior samples z ~ N(0, I), greedy:\n');
  out.push(markdownTable(['IGP C=15', 'DGP C=15'], iso.prior.map((s, i) => [s || '(empty)', diag.prior[i] ?? '-'])));
  return out.join('\n');
}
