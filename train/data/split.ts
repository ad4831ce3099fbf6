import { Rng } from '../../core/rng.ts';
import { SPLIT_NAMES, type RawRow, type RawSplit, type SplitName } from './types.ts';

/** Fraction of the pool's groups given to each carved split (valid, test): 10% each, so 80/10/10. */
export const CARVE_FRACTION = 0.1;

/**
 * Carve the missing splits out of a training pool, deterministically from `seed`.
 * Rows are kept together by `group` (a Brown file, or the row itself) and the carving is stratified by
 * label (a group's label is its first row's label): for each label in ascending order, its groups (in
 * order of first appearance) are shuffled with one `Rng(seed)` and the first round(fraction * n) go to
 * test, the next round(fraction * n) to valid, the rest stay in train. A label with at least 3 groups
 * gives each carved split at least one group. Rows keep their original order inside every split.
 */
export function carveSplits(
  pool: readonly RawRow[],
  need: { valid: boolean; test: boolean },
  seed: number,
  fraction = CARVE_FRACTION,
): { train: RawRow[]; valid: RawRow[]; test: RawRow[] } {
  if (!(fraction > 0 && fraction < 0.5)) throw new RangeError(`carveSplits: fraction must be in (0, 0.5), got ${fraction}`);
  const groupLabel = new Map<number, number>();
  for (const r of pool) if (!groupLabel.has(r.group)) groupLabel.set(r.group, r.label);
  const byLabel = new Map<number, number[]>();
  for (const [g, label] of groupLabel) {
    const list = byLabel.get(label) ?? [];
    list.push(g);
    byLabel.set(label, list);
  }
  const rng = new Rng(seed);
  const where = new Map<number, 'train' | 'valid' | 'test'>();
  for (const label of [...byLabel.keys()].sort((a, b) => a - b)) {
    const groups = rng.shuffle([...(byLabel.get(label) ?? [])]);
    const take = groups.length >= 3 ? Math.max(1, Math.round(fraction * groups.length)) : 0;
    let k = 0;
    if (need.test) for (let i = 0; i < take; i++) where.set(groups[k++] as number, 'test');
    if (need.valid) for (let i = 0; i < take; i++) where.set(groups[k++] as number, 'valid');
    while (k < groups.length) where.set(groups[k++] as number, 'train');
  }
  const out = { train: [] as RawRow[], valid: [] as RawRow[], test: [] as RawRow[] };
  for (const r of pool) out[where.get(r.group) ?? 'train'].push(r);
  return out;
}

/**
 * Fill the splits a directory lacks (valid and/or test) by carving them from `raw.train` with
 * `carveSplits(seed)`, in place, and note each carving (`notes`, shown in the data report).
 * `missing(split, n)` words the note, e.g. "no valid file: carved 1400 rows from train.csv".
 * Returns the completed splits.
 */
export function completeSplits(
  raw: Partial<Record<SplitName, RawSplit>>,
  seed: number,
  notes: string[],
  missing: (split: 'valid' | 'test', rows: number, source: string) => string,
): Record<SplitName, RawSplit> {
  const train = raw.train;
  if (train === undefined) throw new RangeError('completeSplits: raw.train is required');
  const need = { valid: raw.valid === undefined, test: raw.test === undefined };
  if (need.valid || need.test) {
    const carved = carveSplits(train.rows, need, seed);
    train.rows = carved.train;
    for (const split of ['valid', 'test'] as const) {
      if (!need[split]) continue;
      raw[split] = { source: `${train.source} (seeded split, seed ${seed})`, blankLines: 0, rows: carved[split] };
      notes.push(`${missing(split, carved[split].length, train.source)} (stratified by label, seed ${seed}).`);
    }
  }
  return raw as Record<SplitName, RawSplit>;
}

/** Class names: the class table's when there is one, else "0".."max label" over every split's rows. */
export function classNames(raw: Record<SplitName, RawSplit>, table: { names: string[] } | null | undefined): string[] {
  if (table) return table.names;
  const maxLabel = SPLIT_NAMES.flatMap((s) => raw[s].rows).reduce((m, r) => Math.max(m, r.label), 0);
  return Array.from({ length: 1 + maxLabel }, (_, i) => String(i));
}
