import { existsSync, readFileSync, statSync } from 'node:fs';
import { IsovaeError } from '../../core/errors.ts';
import { decodeUtf8Strict } from '../../core/text-lines.ts';

export { firstInvalidUtf8 } from '../../core/text-lines.ts';

/**
 * Read a UTF-8 text file strictly: a missing file is `IsovaeError('E_DATA_MISSING')`, invalid UTF-8 is
 * `E_DATA_FORMAT` naming the file, the 1-based line and byte offset of the first bad byte. A leading BOM
 * is removed. `what` describes the file for the missing-file message (e.g. "training split"). The decoding
 * and the definition of a line are core/text-lines.ts, shared with the CLI's streamed input.
 */
export function readTextFile(file: string, what = 'data file'): string {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new IsovaeError('E_DATA_MISSING', `${file}: ${what} not found; check the path (see the README for the expected layout).`);
  }
  return decodeUtf8Strict(readFileSync(file), file);
}

/** True if `path` exists and is a directory. */
export function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Throw `E_DATA_MISSING` unless `dir` is a directory. */
export function requireDirectory(dir: string, what: string): void {
  if (!isDirectory(dir)) throw new IsovaeError('E_DATA_MISSING', `${dir}: ${what} directory not found; check the path.`);
}
