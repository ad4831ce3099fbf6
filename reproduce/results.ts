/**
 * The machine-readable results of a reproduction (`results.json`): every run record plus the
 * report's tables, aggregated over seeds with eval/ `summariseRuns` (mean ± population std) and
 * paired with the paper's numbers (eval/ PAPER_*). Table values are stored exactly as printed in
 * the paper: BLEU / ROUGE x100, accuracies in %, Rec / KL in nats per sentence.
 */
import { PAPER_ROBUSTNESS, PAPER_TABLE2, PAPER_TABLE3, PAPER_TABLE4, meanStd, summariseRuns, welchTTest, type MeanStd, type PaperDataset, type PaperTable4Row } from '../eval/index.ts';
import { EFFICIENCY_C, MODEL_KEYS } from './grid.ts';
import type { ScalePreset } from './presets.ts';
import type { RunRecord } from './records.ts';

/** Report metadata. */
export interface ReportMeta {
  dataset: string;
  classes: string[];
  scale: string;
  preset: ScalePreset;
  seeds: number[];
  fractions: number[];
  /** Grid filter (`--only`); empty = the whole grid. */
  only: string[];
  paper: PaperDataset;
  command: string;
  /** Markdown inserted after the report's header (e.g. a discussion of the findings), or ''. */
  notes: string;
}

type Cell = MeanStd | null;
/** Table 4 columns. */
export const TABLE4_COLUMNS = ['rec', 'kl', 'au', 'bleu2', 'bleu4', 'rouge2', 'rouge4'] as const;
export type Table4Column = (typeof TABLE4_COLUMNS)[number];

/** Every table of the report. */
export interface ReportTables {
  table4: { model: string; label: string; runs: number; ours: Record<Table4Column, Cell>; paper: PaperTable4Row | null }[];
  table2: { model: string; label: string; runs: number; ours: { meanSqNorm: Cell; logDet: Cell }; paper: { meanSqNorm: number; logDet: number } | null }[];
  table3: { model: string; label: string; runs: number; ours: { sample: Cell; mean: Cell; meanCanonical: Cell }; paper: { sample: number; mean: number } | null }[];
  /**
   * Diagnostic beyond the paper: AU (per axis) next to the rotation-invariant count of active
   * eigen-directions of Cov[means] and their effective rank (eval/ activeDirections). `directions`
   * summarises only the runs whose record has it (`n` says how many).
   */
  spectrum: { model: string; label: string; runs: number; au: Cell; directions: Cell; effectiveRank: Cell }[];
  classification: { model: string; label: string; runs: number; clean: Cell; robust: Cell; paperRobust: number | null; cleanStd: Cell; robustStd: Cell }[];
  /** `diagStd` / `isoStd`: the standardised-feature diagnostic. */
  sampleEfficiency: { fraction: number; diag: Cell; iso: Cell; gap: number | null; diagStd: Cell; isoStd: Cell }[];
  /**
   * IGP vs DGP over training seeds, per C at which both have at least 2 full-data grid runs: Welch's t-test of each
   * metric (see {@link SEED_TEST_METRICS}). Absent in results.json files written before it existed.
   */
  seedTests?: SeedTest[];
}

/** One C of {@link ReportTables.seedTests}. */
export interface SeedTest {
  c: number;
  rows: {
    metric: string;
    label: string;
    /** Mean ± population std over seeds, in the report's units (accuracy %, BLEU x100). */
    diag: MeanStd;
    iso: MeanStd;
    /** mean(IGP) − mean(DGP), Welch's t (sample variances), its degrees of freedom and two-sided p. */
    diff: number;
    t: number;
    df: number;
    p: number;
  }[];
}

/**
 * Metrics the seed tests compare: dotted path into a RunRecord, label, scale to the report's units. Accuracies
 * (clean, 30% deletion, standardised), reconstruction, and the isotropy measures the paper's claim is about.
 */
export const SEED_TEST_METRICS: readonly { path: string; label: string; scale: number }[] = [
  { path: 'metrics.classification.mean', label: 'accuracy %', scale: 100 },
  { path: 'metrics.robustness.mean', label: 'accuracy %, 30% deletion', scale: 100 },
  { path: 'standardized.classification.mean', label: 'accuracy %, standardised', scale: 100 },
  { path: 'metrics.reconstruction.bleu2', label: 'BLEU-2', scale: 100 },
  { path: 'metrics.rec', label: 'Rec.', scale: 1 },
  { path: 'metrics.kl', label: 'KL', scale: 1 },
  { path: 'metrics.au', label: 'AU', scale: 1 },
  { path: 'metrics.spectrum.activeDirections', label: 'active directions', scale: 1 },
  { path: 'metrics.spectrum.effectiveRank', label: 'effective rank', scale: 1 },
  { path: 'metrics.aggregated.logDet', label: 'log det Cov', scale: 1 },
  { path: 'metrics.isotropy.mean', label: 'IS (means)', scale: 1 },
  { path: 'metrics.isotropy.sample', label: 'IS (samples)', scale: 1 },
];

/** The number at dotted `path` of `obj`, or undefined when absent or not a finite number. */
function numberAt(obj: object, path: string): number | undefined {
  let v: unknown = obj;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * Welch's t-tests of IGP vs DGP over the full-data grid runs' seeds, per C (ascending) where both posteriors have at
 * least 2 runs. A metric is tested on the runs that have it, and left out when either side has fewer than 2 values.
 */
export function buildSeedTests(records: readonly RunRecord[]): SeedTest[] {
  const grid = records.filter((r) => r.group === 'grid' && r.posterior !== 'ae');
  const cs = [...new Set(grid.map((r) => r.c).filter((c): c is number => c !== null))].sort((a, b) => a - b);
  const out: SeedTest[] = [];
  for (const c of cs) {
    const side = (post: string) => grid.filter((r) => r.c === c && r.posterior === post);
    const diag = side('diag');
    const iso = side('iso');
    if (diag.length < 2 || iso.length < 2) continue;
    const rows: SeedTest['rows'] = [];
    for (const m of SEED_TEST_METRICS) {
      const values = (runs: RunRecord[]) => runs.map((r) => numberAt(r, m.path)).filter((v): v is number => v !== undefined).map((v) => v * m.scale);
      const d = values(diag);
      const i = values(iso);
      if (d.length < 2 || i.length < 2) continue;
      const w = welchTTest(i, d);
      rows.push({ metric: m.path, label: m.label, diag: meanStd(d), iso: meanStd(i), diff: w.diff, t: w.t, df: w.df, p: w.p });
    }
    if (rows.length > 0) out.push({ c, rows });
  }
  return out;
}

/** results.json. */
export interface ReproduceResults extends ReportMeta {
  format: 'isovae-reproduce';
  version: 1;
  generated: string;
  runsDone: number;
  runsTotal: number;
  tables: ReportTables;
  /** Image files of the report (relative to the report directory). */
  images: { sampleEfficiency: string | null; maps: { file: string; model: string; method: 'pca' | 'tsne'; seed: number }[] };
  runs: RunRecord[];
}

/** Human label of a model key: `AE`, `C=5, DGP`, ... (the paper's row names). */
export function modelLabel(key: string): string {
  if (key === 'ae') return 'AE';
  const [post, c] = key.split('-');
  return `C=${c}, ${post === 'iso' ? 'IGP' : 'DGP'}`;
}

const scale = (v: MeanStd | undefined, k = 1): Cell => (v ? { mean: v.mean * k, std: v.std * k, n: v.n } : null);

/** Builds every table from the finished run records (missing runs give null cells). */
export function buildTables(records: readonly RunRecord[], paper: PaperDataset): ReportTables {
  const grid = records.filter((r) => r.group === 'grid');
  const byModel = MODEL_KEYS.map((m) => {
    const runs = grid.filter((r) => r.model === m.key);
    return { m, runs, s: summariseRuns(runs.map((r) => r.metrics)) };
  });
  const table4 = byModel.map(({ m, runs, s }) => {
    const p = PAPER_TABLE4[paper][m.key];
    return {
      model: m.key, label: modelLabel(m.key), runs: runs.length,
      ours: {
        rec: scale(s['rec']), kl: m.posterior === 'ae' ? null : scale(s['kl']), au: scale(s['au']),
        bleu2: scale(s['reconstruction.bleu2'], 100), bleu4: scale(s['reconstruction.bleu4'], 100),
        rouge2: scale(s['reconstruction.rouge2'], 100), rouge4: scale(s['reconstruction.rouge4'], 100),
      },
      paper: p ?? null,
    };
  });
  const table2 = byModel.map(({ m, runs, s }) => {
    const p = m.c === 15 && m.posterior !== 'ae' ? PAPER_TABLE2[paper][m.posterior] : null;
    return { model: m.key, label: modelLabel(m.key), runs: runs.length, ours: { meanSqNorm: scale(s['aggregated.meanSqNorm']), logDet: scale(s['aggregated.logDet']) }, paper: p };
  });
  const table3 = byModel.map(({ m, runs, s }) => {
    const t = PAPER_TABLE3[paper];
    const p = m.key === 'ae' ? { sample: t.ae, mean: t.ae } : m.c === 15 && m.posterior !== 'ae' ? t[m.posterior] : null;
    return {
      model: m.key, label: modelLabel(m.key), runs: runs.length,
      ours: { sample: scale(s['isotropy.sample']), mean: scale(s['isotropy.mean']), meanCanonical: scale(s['isotropy.meanCanonical']) }, paper: p,
    };
  });
  const spectrum = byModel.map(({ m, runs, s }) => ({
    model: m.key, label: modelLabel(m.key), runs: runs.length,
    au: scale(s['au']), directions: scale(s['spectrum.activeDirections']), effectiveRank: scale(s['spectrum.effectiveRank']),
  }));
  const classification = byModel.map(({ m, runs, s }) => {
    const r = PAPER_ROBUSTNESS[paper];
    const paperRobust = m.key === 'ae' ? r.ae : m.c === 15 && m.posterior !== 'ae' ? r[m.posterior] : null;
    const d = summariseRuns(runs.map((x) => x.standardized ?? {}));
    return {
      model: m.key, label: modelLabel(m.key), runs: runs.length, clean: scale(s['classification.mean'], 100), robust: scale(s['robustness.mean'], 100), paperRobust,
      cleanStd: scale(d['classification.mean'], 100), robustStd: scale(d['robustness.mean'], 100),
    };
  });
  const fractions = [...new Set(records.filter((r) => r.c === EFFICIENCY_C && r.posterior !== 'ae').map((r) => r.fraction))].sort((a, b) => a - b);
  const sampleEfficiency = fractions.map((fraction) => {
    const acc = (post: string, standardized = false) => {
      const rs = records.filter((r) => r.posterior === post && r.c === EFFICIENCY_C && r.fraction === fraction && r.metrics.classification);
      return scale(summariseRuns(rs.map((r) => (standardized ? r.standardized ?? {} : r.metrics)))['classification.mean'], 100);
    };
    const diag = acc('diag');
    const iso = acc('iso');
    return { fraction, diag, iso, gap: diag && iso ? iso.mean - diag.mean : null, diagStd: acc('diag', true), isoStd: acc('iso', true) };
  });
  return { table4, table2, table3, spectrum, classification, sampleEfficiency, seedTests: buildSeedTests(records) };
}
