/**
 * The one text reader of isovae: strict UTF-8 and one definition of a line, shared by the training-data
 * loaders (whole files, train/data/read-text.ts) and the CLI's streamed input (encode, generate).
 *
 * A line ends at `\n`; a `\r` right before that `\n` (CRLF) is part of the line ending. A lone `\r` (old Mac
 * line ending, or a stray carriage return inside a sentence) is data: it does not end the line, so row N of
 * an output is always line N of the input as `wc -l`, `sed -n Np` and every Unix tool count it; the
 * tokenizer then treats it as whitespace. Invalid UTF-8 is an error naming the file, the 1-based line and the
 * byte offset, unless the caller asks for lenient decoding (U+FFFD replaces each bad sequence, counted).
 * A leading byte-order mark is removed. Imports nothing (no node APIs): sources are async byte chunks.
 */
import { IsovaeError } from './errors.ts';

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

const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** The E_DATA_FORMAT error for invalid UTF-8 at byte `at` of `bytes`, which start at 1-based line `firstLine` and byte `base` of `file`. */
function invalidUtf8(file: string, bytes: Uint8Array, at: number, firstLine: number, base: number, lenientHint: boolean): IsovaeError {
  let line = firstLine;
  for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
  return new IsovaeError('E_DATA_FORMAT', `${file}:${line}: invalid UTF-8 (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${base + at}); ` +
    `re-encode the file as UTF-8 (e.g. iconv -f latin1 -t utf-8)${lenientHint ? ', or pass --lenient to replace bad bytes with U+FFFD' : ''}.`);
}

/** Strip a UTF-8 byte-order mark (EF BB BF) at the start of `bytes`. */
function stripBom(bytes: Uint8Array): Uint8Array {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}

/**
 * Decode a whole file's bytes strictly (BOM removed). Throws `IsovaeError('E_DATA_FORMAT')` naming `file`,
 * the line and the byte offset of the first invalid byte.
 */
export function decodeUtf8Strict(bytes: Uint8Array, file: string): string {
  const body = stripBom(bytes);
  try {
    return fatal.decode(body);
  } catch {
    throw invalidUtf8(file, body, firstInvalidUtf8(body), 1, bytes.length - body.length, false);
  }
}

/** Options of `readLines`. */
export interface ReadLinesOptions {
  /** How to name the source in errors (a path, or "standard input"). */
  name: string;
  /** Replace invalid UTF-8 with U+FFFD instead of failing; `stats.replacedLines` counts the lines affected. Default false. */
  lenient?: boolean;
  /** Filled while reading: lines yielded and lines with replaced bytes (lenient mode). */
  stats?: { lines: number; replacedLines: number };
}

/**
 * Lines of a byte stream (chunks of any size), decoded as UTF-8, without their `\n` / `\r\n` ending (see the
 * module comment for lone `\r`). A final line without a newline is yielded; a trailing newline does not add an
 * empty line. Memory: one line plus one chunk.
 */
export async function* readLines(source: AsyncIterable<Uint8Array>, opts: ReadLinesOptions): AsyncGenerator<string> {
  const stats = opts.stats ?? { lines: 0, replacedLines: 0 };
  let carry: Uint8Array = new Uint8Array(0);
  let offset = 0; // byte offset of carry[0] in the source
  let first = true;
  const decodeLine = (raw: Uint8Array, at: number): string => {
    let bytes = raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
    if (first) {
      const body = stripBom(bytes);
      at += bytes.length - body.length;
      bytes = body;
      first = false;
    }
    try {
      return fatal.decode(bytes);
    } catch {
      if (!opts.lenient) throw invalidUtf8(opts.name, bytes, firstInvalidUtf8(bytes), stats.lines + 1, at, true);
      stats.replacedLines++;
      return lenientDecoder.decode(bytes);
    }
  };
  for await (const chunk of source) {
    let buf: Uint8Array = chunk;
    if (carry.length > 0) {
      buf = new Uint8Array(carry.length + chunk.length);
      buf.set(carry);
      buf.set(chunk, carry.length);
    }
    let start = 0;
    for (let nl = buf.indexOf(0x0a); nl !== -1; nl = buf.indexOf(0x0a, start)) {
      const line = decodeLine(buf.subarray(start, nl), offset + start);
      stats.lines++;
      yield line;
      start = nl + 1;
    }
    offset += start;
    carry = buf.slice(start);
  }
  if (carry.length > 0) {
    const line = decodeLine(carry, offset);
    stats.lines++;
    yield line;
  }
}
