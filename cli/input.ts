/**
 * Text input of the runtime commands (encode, generate): lines of a file or of standard input, read as a stream
 * with the project's one line reader (core/text-lines.ts): lines end at `\n` or `\r\n` (a lone `\r` is data),
 * invalid UTF-8 is an error naming the line unless `--lenient`.
 */
import { createReadStream, statSync } from 'node:fs';
import { IsovaeError } from '../core/errors.ts';
import { readLines } from '../core/text-lines.ts';

/** Counters filled while reading: lines read and lines where `--lenient` replaced invalid bytes. */
export interface InputStats {
  lines: number;
  replacedLines: number;
}

/**
 * Lines of `input` (a path, or "-" for standard input). Throws `IsovaeError('E_INPUT')` at once when the file
 * does not exist or is a directory; invalid UTF-8 rejects the iteration with `E_DATA_FORMAT` naming the line.
 * Memory: one line plus one read chunk (64 KiB).
 */
export function inputLines(input: string, opts: { lenient?: boolean; stats?: InputStats } = {}): AsyncIterable<string> {
  const name = input === '-' ? 'standard input' : input;
  if (input !== '-') {
    let isDir: boolean;
    try {
      isDir = statSync(input).isDirectory();
    } catch {
      throw new IsovaeError('E_INPUT', `--input "${input}": no such file; check the path ("-" reads standard input).`);
    }
    if (isDir) throw new IsovaeError('E_INPUT', `--input "${input}" is a directory; give a text file with one sentence per line.`);
  }
  const stream = input === '-' ? process.stdin : createReadStream(input);
  return readLines(stream as AsyncIterable<Uint8Array>, { name, lenient: opts.lenient ?? false, ...(opts.stats ? { stats: opts.stats } : {}) });
}

/** The stderr note after a lenient read, or null when nothing was replaced. */
export function lenientNote(command: string, stats: InputStats): string | null {
  return stats.replacedLines > 0 ? `isovae ${command}: --lenient: ${stats.replacedLines} of ${stats.lines} input lines had invalid UTF-8, replaced with U+FFFD.` : null;
}
