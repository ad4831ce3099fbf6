import { SPLIT_NAMES, type DataReport } from './types.ts';

/**
 * A plain-text table of a `DataReport` for the trainer to print: one line per split with rows read,
 * examples kept, dropped (empty), truncated (> maxLen words), tokens, unk rate and length percentiles,
 * then the vocabulary line and any notes.
 */
export function formatDataReport(r: DataReport): string {
  const lines = [`data: ${r.name} (${r.source}), ${r.numClasses} classes, loaded in ${(r.millis / 1000).toFixed(2)} s`];
  const head = ['split', 'rows', 'kept', 'empty', 'trunc', 'skipped', 'tokens', 'unk%', 'len p50/p90/p99/max', 'source'];
  const rows = SPLIT_NAMES.map((name) => {
    const s = r.splits[name];
    return [
      name, String(s.rowsRead), String(s.kept), String(s.droppedEmpty), String(s.truncated),
      String(s.sentencesSkipped + s.blankLines), String(s.tokens), (100 * s.unkRate).toFixed(2),
      `${s.lengths.p50}/${s.lengths.p90}/${s.lengths.p99}/${s.lengths.max}`, s.source,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  for (const row of [head, ...rows]) lines.push('  ' + row.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
  lines.push(`  vocab: V=${r.vocabSize} (${r.vocabWords} words requested, ${r.trainDistinctWords} distinct in train), maxLen=${r.maxLen} words`);
  lines.push('  (trunc = cut to maxLen; empty = dropped, no tokens; skipped = extra sentences of a row in "first" mode + blank lines)');
  for (const note of r.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}
