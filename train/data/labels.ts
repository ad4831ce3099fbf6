import { existsSync } from 'node:fs';
import { IsovaeError } from '../../core/errors.ts';
import { readTextFile } from './read-text.ts';

/**
 * Parse a class label: a non-negative integer in decimal (surrounding spaces allowed). An empty field
 * is "a row without a label"; anything else non-integer is a bad label. Both are
 * `IsovaeError('E_DATA_FORMAT')` naming `where` (`file:line`).
 */
export function parseLabel(field: string, where: string): number {
  const t = field.trim();
  if (t === '') throw new IsovaeError('E_DATA_FORMAT', `${where}: row without a label; every row needs an integer class label.`);
  if (!/^\d+$/.test(t)) throw new IsovaeError('E_DATA_FORMAT', `${where}: label ${JSON.stringify(t)} is not a non-negative integer class id.`);
  const v = Number(t);
  if (!Number.isSafeInteger(v)) throw new IsovaeError('E_DATA_FORMAT', `${where}: label ${t} is too large.`);
  return v;
}

/** Class names from classes.txt; `known` lists the valid ids. */
export interface ClassTable {
  names: string[];
  known: Set<number>;
  file: string;
}

/**
 * Read an optional classes.txt: each non-blank line is `id<TAB>name` (e.g. "0\tCompany") or just `name`
 * (id = 0-based line); the two forms cannot be mixed. Ids must be unique. Returns null if the file does
 * not exist. `names[id]` is the name (ids without a line get their number as name).
 */
export function readClasses(file: string): ClassTable | null {
  if (!existsSync(file)) return null;
  const lines = readTextFile(file, 'class names file').split('\n').map((l) => l.replace(/\r$/, ''));
  while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
  if (lines.length === 0) throw new IsovaeError('E_DATA_FORMAT', `${file}: empty class names file; remove it or list one class per line.`);
  const withIds = lines[0]?.includes('\t') === true;
  const byId = new Map<number, string>();
  lines.forEach((raw, i) => {
    const where = `${file}:${i + 1}`;
    if (raw.trim() === '') throw new IsovaeError('E_DATA_FORMAT', `${where}: blank line in the class names file.`);
    let id = i;
    let name = raw.trim();
    if (withIds) {
      const tab = raw.indexOf('\t');
      if (tab < 0) throw new IsovaeError('E_DATA_FORMAT', `${where}: expected "id<TAB>name" like the first line.`);
      id = parseLabel(raw.slice(0, tab), where);
      name = raw.slice(tab + 1).trim();
    } else if (raw.includes('\t')) {
      throw new IsovaeError('E_DATA_FORMAT', `${where}: "id<TAB>name" line, but the first line has no id; use one form for the whole file.`);
    }
    if (byId.has(id)) throw new IsovaeError('E_DATA_FORMAT', `${where}: class id ${id} listed twice.`);
    byId.set(id, name === '' ? String(id) : name);
  });
  const max = Math.max(...byId.keys());
  const names = Array.from({ length: max + 1 }, (_, id) => byId.get(id) ?? String(id));
  return { names, known: new Set(byId.keys()), file };
}

/** Throw `E_DATA_FORMAT` at `where` if `label` is not listed in `table` (no-op when table is null). */
export function checkKnownLabel(label: number, table: ClassTable | null, where: string): void {
  if (table !== null && !table.known.has(label)) {
    throw new IsovaeError('E_DATA_FORMAT', `${where}: unknown label ${label}; ${table.file} lists ids ${[...table.known].sort((a, b) => a - b).join(', ')}.`);
  }
}
