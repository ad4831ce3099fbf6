import { existsSync } from 'node:fs';
import type { DataSource } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';

/**
 * Parse `--data`: `brown` (embedded corpus), `csv:<dir>`, `dir:<dir>` (the paper's format), or a bare directory
 * (CSV when it holds train.csv, else the paper's format).
 */
export function parseDataSource(value: string): DataSource {
  if (value === 'brown') return { kind: 'brown' };
  if (value.startsWith('csv:')) return { kind: 'csv', path: value.slice(4) };
  if (value.startsWith('dir:')) return { kind: 'dir', path: value.slice(4) };
  if (!existsSync(value)) {
    throw new IsovaeError('E_DATA_MISSING', `--data "${value}": no such directory. Use brown, csv:<dir>, dir:<dir> or an existing directory.`);
  }
  return existsSync(`${value}/train.csv`) ? { kind: 'csv', path: value } : { kind: 'dir', path: value };
}
