/**
 * Aggregation of per-run metrics over training seeds (mean ± population std, protocol §0) and
 * Markdown formatting for the report tables.
 */
import { meanStd, type MeanStd } from './stats.ts';

/**
 * Mean ± population std over runs of every finite numeric leaf of the (JSON-like) run metrics,
 * keyed by dotted path, e.g. `au`, `reconstruction.bleu2`, `isotropy.mean`, `classification.mean`
 * (so Fig. 2's "mean and std across 3 encoders" is `classification.mean`). Arrays are skipped;
 * a path missing or null in some run is aggregated over the runs that have it.
 */
export function summariseRuns(runs: readonly object[]): Record<string, MeanStd> {
  const values = new Map<string, number[]>();
  const walk = (obj: unknown, prefix: string): void => {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj) || ArrayBuffer.isView(obj)) return;
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const path = prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'number' && Number.isFinite(v)) {
        const list = values.get(path) ?? [];
        list.push(v);
        values.set(path, list);
      } else walk(v, path);
    }
  };
  for (const r of runs) walk(r, '');
  const out: Record<string, MeanStd> = {};
  for (const [k, list] of values) out[k] = meanStd(list);
  return out;
}

/**
 * "mean±std" with `digits` decimals after multiplying by `scale` (e.g. 100 for BLEU fractions);
 * "-" for a missing value. A single run prints its value only.
 */
export function formatMeanStd(v: MeanStd | null | undefined, digits = 2, scale = 1): string {
  if (!v) return '-';
  const m = (v.mean * scale).toFixed(digits);
  return v.n > 1 ? `${m}±${(v.std * scale).toFixed(digits)}` : m;
}

/** A GitHub-flavoured Markdown table; cells are escaped for `|`. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [`| ${header.map(esc).join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.map(esc).join(' | ')} |`);
  return lines.join('\n') + '\n';
}
