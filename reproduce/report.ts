/**
 * Writes the reproduction report into the output directory: `results.json` (ReproduceResults),
 * `README.md` (every table next to the paper's numbers, images, qualitative examples, notes) and
 * the SVG images (sample-efficiency plot, 2-D maps of the C = 15 DGP / IGP test means).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linePlotSvg, type LineSeries } from '../eval/index.ts';
import { gridRuns } from './grid.ts';
import { reportMarkdown } from './markdown.ts';
import type { Qualitative } from './qualitative.ts';
import type { RunRecord } from './records.ts';
import { buildTables, type ReportMeta, type ReproduceResults } from './results.ts';

/** File name of the sample-efficiency plot. */
export const SAMPLE_EFFICIENCY_SVG = 'sample-efficiency.svg';

/**
 * Builds results.json and README.md from the finished `records` of the grid described by `meta`
 * (run directories under `<out>/runs`, or committed records in `recordsDir`) and writes them with the images into `reportDir` [out]. Qualitative examples are printed only for the
 * embedded Brown corpus (third-party datasets' text must not be republished). Returns the paths written.
 */
export function writeReport(out: string, records: readonly RunRecord[], meta: ReportMeta, reportDir = out, recordsDir?: string): string[] {
  mkdirSync(reportDir, { recursive: true });
  const tables = buildTables(records, meta.paper);
  const files: string[] = [];
  const write = (name: string, text: string) => {
    writeFileSync(join(reportDir, name), text);
    files.push(join(reportDir, name));
  };
  let sampleEfficiency: string | null = null;
  const series: LineSeries[] = [];
  for (const post of ['diag', 'iso'] as const) {
    const pts = tables.sampleEfficiency.filter((r) => r[post] !== null);
    if (pts.length > 0) series.push({ name: post === 'iso' ? 'IGP' : 'DGP', x: pts.map((r) => r.fraction * 100), y: pts.map((r) => r[post]!.mean), err: pts.map((r) => r[post]!.std) });
  }
  for (const post of ['diag', 'iso'] as const) {
    const key = post === 'iso' ? 'isoStd' : 'diagStd';
    const pts = tables.sampleEfficiency.filter((r) => r[key] !== null);
    if (pts.length > 0) series.push({ name: `${post === 'iso' ? 'IGP' : 'DGP'} (standardised)`, x: pts.map((r) => r.fraction * 100), y: pts.map((r) => r[key]!.mean), err: pts.map((r) => r[key]!.std) });
  }
  if (series.length > 0) {
    sampleEfficiency = SAMPLE_EFFICIENCY_SVG;
    write(SAMPLE_EFFICIENCY_SVG, linePlotSvg(series, {
      title: `${meta.dataset}, C=15: classification accuracy vs training data`, xLabel: 'VAE training data (%)', yLabel: 'accuracy (%)', logX: true,
      xTickFormat: (x) => `${x}%`,
    }));
  }
  // Maps: the C = 15 grid runs of the lowest seed that has them.
  const maps: ReproduceResults['images']['maps'] = [];
  for (const post of ['diag', 'iso'] as const) {
    const run = records.filter((r) => r.group === 'grid' && r.c === 15 && r.posterior === post).sort((a, b) => a.seed - b.seed)[0];
    if (!run) continue;
    for (const method of ['pca', 'tsne'] as const) {
      // The run directory's map, else the committed one (`--records`).
      const src = [join(out, 'runs', run.id, `map-${method}.svg`), ...(recordsDir ? [join(recordsDir, `${run.id}.map-${method}.svg`)] : [])].find((f) => existsSync(f));
      if (!src) continue;
      const file = `map-${post}-15-${method}.svg`;
      copyFileSync(src, join(reportDir, file));
      files.push(join(reportDir, file));
      maps.push({ file, model: `${post}-15`, method, seed: run.seed });
    }
  }
  const results: ReproduceResults = {
    format: 'isovae-reproduce', version: 1, generated: new Date().toISOString(), ...meta,
    runsDone: records.length, runsTotal: gridRuns({ seeds: meta.seeds, fractions: meta.fractions, only: meta.only }).length,
    tables, images: { sampleEfficiency, maps }, runs: [...records],
  };
  write('results.json', JSON.stringify(results, null, 1) + '\n');
  const qualitative = new Map<string, Qualitative>();
  if (meta.dataset === 'brown') {
    for (const r of records) {
      const f = join(out, 'runs', r.id, 'qualitative.json');
      if (r.group === 'grid' && existsSync(f)) qualitative.set(r.id, JSON.parse(readFileSync(f, 'utf8')) as Qualitative);
    }
  }
  write('README.md', reportMarkdown(results, qualitative));
  return files;
}
