import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatMeanStd } from '../../eval/index.ts';
import { DIGITS } from '../../reproduce/markdown.ts';
import { TABLE4_COLUMNS, type ReproduceResults } from '../../reproduce/results.ts';
import { reproduce, type ReproduceOptions } from '../../reproduce/runner.ts';

const out = mkdtempSync(join(tmpdir(), 'isovae-reproduce-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

// `--scale tiny` on the embedded Brown corpus, reduced to one seed, the AE, C=15 DGP/IGP and one subset.
const options: Partial<ReproduceOptions> & { out: string } = {
  out, scale: 'tiny', seeds: [0], only: ['ae', 'diag-15', 'iso-15', 'efficiency'], fractions: [0.1, 1], backend: 'wasm', progress: false, log: () => {},
};

/** Cells (after the first) of the first Markdown table row labelled `label` below the heading `section`. */
function row(md: string, section: string, label: string): string[] {
  const start = md.indexOf(`## ${section}`);
  if (start < 0) throw new Error(`no section "${section}"`);
  const line = md.slice(start).split('\n').find((l) => l.startsWith(`| ${label} |`));
  if (!line) throw new Error(`no table row "${label}"`);
  return line.split(' | ').map((c) => c.replace(/^\| |\s*\|$/g, '').trim()).slice(1);
}

describe('isovae reproduce --scale tiny (brown, one seed, a subset of the grid)', () => {
  let results: ReproduceResults;
  let md: string;

  it('runs end to end and writes every table, image and results.json', async () => {
    const r = await reproduce(options);
    expect(r.trained).toEqual(['ae-s0', 'diag-15-s0', 'iso-15-s0', 'diag-15-f0.1-s0', 'iso-15-f0.1-s0']);
    expect(r.interrupted).toBe(false);
    for (const f of ['README.md', 'results.json', 'sample-efficiency.svg', 'map-diag-15-pca.svg', 'map-iso-15-pca.svg', 'map-diag-15-tsne.svg', 'map-iso-15-tsne.svg']) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    for (const f of ['sample-efficiency.svg', 'map-iso-15-tsne.svg']) {
      const svg = readFileSync(join(out, f), 'utf8');
      expect(svg).toMatch(/<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    }
    results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ReproduceResults;
    md = readFileSync(join(out, 'README.md'), 'utf8');
    for (const h of ['## Table 4', '## Table 2', '## Table 3', '## Active units vs active directions', '## Classification and robustness', '## Sample efficiency', '## Seed tests', '## 2-D maps', '## Qualitative']) expect(md).toContain(h);
    expect(md).toContain('Needs at least 2 seeds of both DGP and IGP at the same C.'); // one seed: nothing to test
    for (const img of [results.images.sampleEfficiency, ...results.images.maps.map((m) => m.file)]) {
      expect(md).toContain(`](${img})`);
      expect(existsSync(join(out, img!))).toBe(true);
    }
  });

  it('results.json is well-formed and its metrics are in range', () => {
    expect(results.format).toBe('isovae-reproduce');
    expect([results.runsDone, results.runsTotal, results.runs.length]).toEqual([5, 5, 5]);
    expect(results.tables.table4.map((r) => r.model)).toEqual(['ae', 'diag-5', 'iso-5', 'diag-15', 'iso-15', 'diag-50', 'iso-50']);
    for (const r of results.runs) {
      expect(r.metrics.au).toBeGreaterThanOrEqual(0);
      expect(r.metrics.au).toBeLessThanOrEqual(32);
      expect(r.metrics.rec).toBeGreaterThan(0);
      expect(r.metrics.kl === null).toBe(r.posterior === 'ae');
      expect(r.metrics.classification!.accuracies).toHaveLength(3); // tiny: 3 classifiers
      expect(r.metrics.robustness!.mean).toBeGreaterThanOrEqual(0);
      expect(r.metrics.reconstruction!.bleu2).toBeLessThanOrEqual(1);
      expect(r.testSentences).toBe(300);
    }
    expect(results.runs.find((r) => r.id === 'iso-15-f0.1-s0')!.trainSentences).toBe(100);
    expect(results.tables.sampleEfficiency.map((r) => r.fraction)).toEqual([0.1, 1]);
  });

  it('the Markdown tables print exactly the values of results.json', () => {
    for (const t of results.tables.table4) {
      const cells = row(md, 'Table 4', `${t.label} (ours)`);
      expect(cells[0]).toBe(String(t.runs));
      TABLE4_COLUMNS.forEach((c, i) => expect(cells[i + 1]).toBe(formatMeanStd(t.ours[c], DIGITS[c])));
      const paper = row(md, 'Table 4', `${t.label} (paper)`);
      expect(paper[3]).toBe(`${t.paper!.au.mean.toFixed(1)}±${t.paper!.au.std.toFixed(1)}`);
    }
    for (const t of results.tables.classification) {
      const cells = row(md, 'Classification', t.label);
      expect(cells.slice(0, 2)).toEqual([formatMeanStd(t.clean, DIGITS.accuracy), formatMeanStd(t.robust, DIGITS.accuracy)]);
      expect(cells.slice(3, 5)).toEqual([formatMeanStd(t.cleanStd, DIGITS.accuracy), formatMeanStd(t.robustStd, DIGITS.accuracy)]);
      if (t.runs > 0) expect(t.cleanStd).not.toBeNull();
    }
    const iso = results.tables.table3.find((t) => t.model === 'iso-15')!;
    expect(row(md, 'Table 3', 'C=15, IGP').slice(0, 2)).toEqual([formatMeanStd(iso.ours.sample, 3), formatMeanStd(iso.ours.mean, 3)]);
    // Aggregation: one seed, so a table cell is that run's value (BLEU x100).
    const run = results.runs.find((r) => r.id === 'iso-15-s0')!;
    const t4 = results.tables.table4.find((t) => t.model === 'iso-15')!;
    expect(t4.ours.bleu2!.mean).toBeCloseTo(run.metrics.reconstruction!.bleu2 * 100, 10);
    expect(t4.ours.au!.mean).toBe(run.metrics.au);
    const eff = results.tables.sampleEfficiency.find((r) => r.fraction === 0.1)!;
    expect(row(md, 'Sample efficiency', '10%')).toEqual([
      formatMeanStd(eff.diag, 1), formatMeanStd(eff.iso, 1), (eff.iso!.mean - eff.diag!.mean).toFixed(1), formatMeanStd(eff.diagStd, 1), formatMeanStd(eff.isoStd, 1),
    ]);
    // Active directions: the run's own figures, and consistent with its stored eigenvalues.
    const sp = results.tables.spectrum.find((t) => t.model === 'iso-15')!;
    expect(row(md, 'Active units vs active directions', 'C=15, IGP')).toEqual([formatMeanStd(sp.au, 1), formatMeanStd(sp.directions, 1), formatMeanStd(sp.effectiveRank, 2)]);
    const spec = run.metrics.spectrum!;
    expect(sp.directions!.mean).toBe(spec.activeDirections);
    expect(spec.eigenvalues).toHaveLength(32);
    expect(spec.activeDirections).toBe(spec.eigenvalues.filter((e) => e > 0.01).length);
    // The eigenvalues sum to the trace of the covariance, i.e. the sum of AU's per-axis variances.
    const trace = run.metrics.auVariances.reduce((a, v) => a + v, 0);
    expect(Math.abs(spec.eigenvalues.reduce((a, v) => a + v, 0) - trace)).toBeLessThan(1e-9 * Math.max(1, trace));
    // The standardised diagnostic is the run's own figure (x100).
    expect(results.tables.classification.find((t) => t.model === 'iso-15')!.cleanStd!.mean).toBeCloseTo(run.standardized!.classification.mean * 100, 10);
  });

  it('a second invocation reuses every finished run', async () => {
    const r = await reproduce(options);
    expect(r.trained).toEqual([]);
    expect(r.skipped).toHaveLength(5);
  });

  it('a record without the active-directions diagnostic (older version) gets it back, equal, on the next invocation', async () => {
    const file = join(out, 'runs', 'iso-15-s0', 'metrics.json');
    const before = JSON.parse(readFileSync(file, 'utf8')) as ReproduceResults['runs'][number];
    const { spectrum, ...rest } = before.metrics;
    writeFileSync(file, JSON.stringify({ ...before, metrics: rest }));
    const r = await reproduce(options);
    expect([r.trained, r.evaluated]).toEqual([[], []]);
    const after = JSON.parse(readFileSync(file, 'utf8')) as ReproduceResults['runs'][number];
    expect(after.metrics.spectrum!.activeDirections).toBe(spectrum!.activeDirections);
    after.metrics.spectrum!.eigenvalues.forEach((e, i) => expect(Math.abs(e - spectrum!.eigenvalues[i]!)).toBeLessThan(1e-9));
    expect(after.metrics.au).toBe(before.metrics.au);
  });

  it('--report-only writes the report elsewhere, with notes, from the same runs', async () => {
    const dir = join(out, 'published');
    const r = await reproduce({ ...options, reportOnly: true, reportDir: dir, notes: '## Discussion\n\nOur notes.' });
    expect([r.trained, r.evaluated]).toEqual([[], []]);
    const again = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ReproduceResults;
    expect(again.tables).toEqual(results.tables);
    const text = readFileSync(join(dir, 'README.md'), 'utf8');
    expect(text.indexOf('## Discussion')).toBeGreaterThan(0);
    expect(text.indexOf('## Discussion')).toBeLessThan(text.indexOf('## Table 4'));
    expect(existsSync(join(dir, 'map-iso-15-tsne.svg'))).toBe(true);
  });
});

describe('isovae reproduce --records (committed records resume the grid elsewhere)', () => {
  it('copies each finished run into the records folder; a fresh --out with those records trains nothing and reports the same tables', async () => {
    const records = join(out, 'committed');
    const first = await reproduce({ ...options, recordsDir: records }); // runs finished above: their records are committed now
    expect(first.trained).toEqual([]);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ReproduceResults;
    for (const id of ['ae-s0', 'diag-15-s0', 'iso-15-s0', 'diag-15-f0.1-s0', 'iso-15-f0.1-s0']) {
      const committed = JSON.parse(readFileSync(join(records, `${id}.json`), 'utf8')) as ReproduceResults['runs'][number];
      const local = JSON.parse(readFileSync(join(out, 'runs', id, 'metrics.json'), 'utf8')) as ReproduceResults['runs'][number];
      expect(committed).toEqual(local);
    }
    expect(existsSync(join(records, 'iso-15-s0.map-tsne.svg'))).toBe(true);
    // Another machine: no runs/ at all, only the committed folder.
    const elsewhere = mkdtempSync(join(tmpdir(), 'isovae-reproduce-elsewhere-'));
    try {
      const r = await reproduce({ ...options, out: elsewhere, recordsDir: records });
      expect([r.trained, r.evaluated]).toEqual([[], []]);
      expect(r.skipped).toHaveLength(5);
      expect(existsSync(join(elsewhere, 'runs'))).toBe(false);
      const again = JSON.parse(readFileSync(join(elsewhere, 'results.json'), 'utf8')) as ReproduceResults;
      expect(again.tables).toEqual(results.tables);
      expect(again.images.maps.map((m) => m.file).sort()).toEqual(results.images.maps.map((m) => m.file).sort());
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('a committed record of another configuration is an error naming the file, not silently reused', async () => {
    const records = join(out, 'committed');
    const file = join(records, 'ae-s0.json');
    const rec = JSON.parse(readFileSync(file, 'utf8')) as ReproduceResults['runs'][number];
    writeFileSync(file, JSON.stringify({ ...rec, config: { ...rec.config, hiddenDim: 999 } }));
    await expect(reproduce({ ...options, recordsDir: records })).rejects.toThrow(/ae-s0\.json.*different configuration/);
    writeFileSync(file, '{ not json');
    await expect(reproduce({ ...options, recordsDir: records })).rejects.toThrow(/ae-s0\.json is not valid JSON/);
  });
});

describe('isovae reproduce interrupted', () => {
  it('a Ctrl-C seen between runs (after an evaluation) stops the grid before the next run starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isovae-reproduce-int-'));
    try {
      const ctl = new AbortController();
      ctl.abort();
      const r = await reproduce({ ...options, out: dir, signal: ctl.signal });
      expect(r.interrupted).toBe(true);
      expect([r.trained, r.evaluated]).toEqual([[], []]);
      expect(existsSync(join(dir, 'runs', 'ae-s0', 'checkpoint'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
