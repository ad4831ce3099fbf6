import { existsSync, readFileSync, statSync } from 'node:fs';
import { IsovaeError } from '../../core/errors.ts';

/**
 * Read a UTF-8 text file strictly: a missing file is `IsovaeError('E_DATA_MISSING')`, invalid UTF-8 is
 * `E_DATA_FORMAT` naming the file, the 1-based line and byte offset of the first bad byte. A leading BOM
 * is removed. `what` describes the file for the missing-file message (e.g. "training split").
 */
export function readTextFile(file: string, what = 'data file'): string {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new IsovaeError('E_DATA_MISSING', `${file}: ${what} not found; check the path (see the README for the expected layout).`);
  }
  const bytes = readFileSync(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    throw new IsovaeError('E_DATA_FORMAT', `${file}:${line}: invalid UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at}); ` +
      `re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8).`);
  }
}

/** True if `path` exists and is a directory. */
export function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Throw `E_DATA_MISSING` unless `dir` is a directory. */
export function requireDirectory(dir: string, what: string): void {
  if (!isDirectory(dir)) throw new IsovaeError('E_DATA_MISSING', `${dir}: ${what} directory not found; check the path.`);
}

/**
 * Byte offset of the first byte that does not start or continue a valid UTF-8 sequence (overlongs,
 * surrogates and code points above U+10FFFF are invalid, as for TextDecoder fatal); bytes.length if valid.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) { i++; continue; }
    let n: number; let min: number; let cp: number;
    if (b >= 0xc2 && b <= 0xdf) { n = 1; min = 0x80; cp = b & 0x1f; }
    else if (b >= 0xe0 && b <= 0xef) { n = 2; min = 0x800; cp = b & 0x0f; }
    else if (b >= 0xf0 && b <= 0xf4) { n = 3; min = 0x10000; cp = b & 0x07; }
    else return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return bytes.length;
}
