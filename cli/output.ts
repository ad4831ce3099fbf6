/**
 * The CLI's one output path (encode, generate): every write and the final close are checked, a file is written
 * to a temporary name next to it and renamed on success (so a failed or refused run never leaves a cut-off file
 * under the real name, and the old content survives), an output that is one of the inputs is refused before
 * anything is opened, and a pipe closed by its reader (`isovae generate ... | head`) stops the command quietly
 * with exit code 0, like Unix tools.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, fstatSync, openSync, statSync, unlinkSync, type Stats } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { IsovaeError } from '../core/errors.ts';
import { EXIT_INTERRUPTED, withInterrupt } from './interrupt.ts';

/** Thrown by a write when the reader of a pipe went away (EPIPE): the command stops and exits 0 quietly. */
export class OutputClosed extends Error {
  constructor(readonly target: string) {
    super(`${target}: the reader closed the pipe`);
    this.name = 'OutputClosed';
  }
}

/** Something that accepts text chunks, honouring back-pressure; a failed write rejects. */
export interface TextSink {
  write(chunk: string): Promise<void>;
}

/** An opened output: write chunks, then `commit` (flush, close, rename into place) or `abort` (discard). */
export interface Output extends TextSink {
  /** The path, or "standard output". */
  readonly name: string;
  /** Bytes accepted so far. */
  readonly bytes: number;
  /** Flush and close; for a regular file rename the temporary file to the target. Throws E_WRITE on failure. */
  commit(): Promise<void>;
  /** Discard what was written (removes the temporary file; nothing to undo on standard output). Never throws. */
  abort(): Promise<void>;
}

/** Options of `openOutput`. */
export interface OpenOutputOptions {
  /** Input paths of the command ("-" = standard input): an output that is the same file (inode) is refused. */
  inputs?: readonly string[];
  /** The stream behind "-" (default process.stdout; tests pass their own). */
  stdout?: Writable;
  /** The stream for the file descriptor opened here, which it must close (default node's fs.WriteStream; tests inject failures). */
  createStream?: (fd: number, path: string) => Writable;
}

/** E_WRITE for a failed write / close / rename, naming the output and what the user can do. */
export function writeError(target: string, err: unknown, atomic: boolean): IsovaeError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code === 'ENOSPC' ? 'no space left on the device' : e.code === 'EDQUOT' ? 'disk quota exceeded' : e.message;
  const kept = atomic ? ' Nothing was written under that name (any previous file is unchanged).' : '';
  return new IsovaeError('E_WRITE', `${target}: write failed (${e.code ?? 'error'}: ${why}).${kept} Free some space or choose another --output.`, { cause: err });
}

/**
 * Checked writes on a node Writable: each `write` resolves once the chunk is handed to the OS (so back-pressure
 * is honoured and every error is seen), `end` waits for the final flush. EPIPE becomes `OutputClosed`, any other
 * error `E_WRITE` naming `target`. Exported for tests (a Writable that fails with ENOSPC).
 */
export function checkedWriter(stream: Writable, target: string, atomic: boolean, closeStream: boolean): { write(chunk: string): Promise<void>; end(): Promise<void>; failed(): boolean } {
  let failure: NodeJS.ErrnoException | null = null;
  const fail = (e: NodeJS.ErrnoException): never => {
    if (e.code === 'EPIPE' || failure?.code === 'EPIPE') throw new OutputClosed(target); // later writes fail as ERR_STREAM_DESTROYED
    throw writeError(target, e, atomic);
  };
  const onError = (e: NodeJS.ErrnoException) => {
    failure ??= e;
  };
  stream.on('error', onError);
  const settle = (start: (cb: (err?: Error | null) => void) => void): Promise<void> =>
    new Promise<void>((res) => start((err) => {
      if (err) failure ??= err as NodeJS.ErrnoException;
      res();
    }));
  return {
    async write(chunk) {
      if (failure) fail(failure);
      await settle((cb) => stream.write(chunk, cb));
      if (failure) fail(failure);
    },
    async end() {
      if (failure) fail(failure);
      if (closeStream) {
        await new Promise<void>((res) => {
          stream.once('close', res);
          stream.end();
        });
      } else {
        await settle((cb) => stream.write('', cb)); // standard output stays open; wait for everything written
      }
      stream.off('error', onError);
      if (failure) fail(failure);
    },
    failed: () => failure !== null,
  };
}

/** Same file (device and inode) as any of `inputs` (including standard input for "-")? */
function sameFileAsInput(target: Stats, inputs: readonly string[]): string | null {
  for (const input of inputs) {
    let s: Stats;
    try {
      s = input === '-' ? fstatSync(0) : statSync(input);
    } catch {
      continue; // a missing input fails later, with its own message
    }
    if (s.isFile() && s.dev === target.dev && s.ino === target.ino) return input === '-' ? 'standard input' : input;
  }
  return null;
}

/**
 * Open `path` for writing ("-" = standard output). A regular file (or a new one) is written to a hidden
 * temporary file in the same directory and renamed over `path` by `commit`; devices and FIFOs (e.g. /dev/null,
 * a named pipe) are written directly. Throws `IsovaeError('E_OUTPUT')` before writing anything when `path` is
 * one of `opts.inputs`, a directory, or its directory does not exist / is not writable.
 */
export function openOutput(path: string, opts: OpenOutputOptions = {}): Output {
  if (path === '-') {
    const stdout = opts.stdout ?? process.stdout;
    const w = checkedWriter(stdout, 'standard output', false, false);
    let bytes = 0;
    return {
      name: 'standard output',
      get bytes() { return bytes; },
      write: async (chunk) => { await w.write(chunk); bytes += Buffer.byteLength(chunk); },
      commit: () => w.end(),
      abort: async () => {},
    };
  }
  let existing: Stats | null = null;
  try {
    existing = statSync(path);
  } catch {
    existing = null;
  }
  if (existing) {
    if (existing.isDirectory()) throw new IsovaeError('E_OUTPUT', `--output "${path}" is a directory; give a file name.`);
    const input = sameFileAsInput(existing, opts.inputs ?? []);
    if (input) throw new IsovaeError('E_OUTPUT', `--output "${path}" is the same file as the input (${input}); writing it would destroy the input. Write to another file, then rename it.`);
  }
  const atomic = existing === null || existing.isFile();
  const target = atomic ? join(dirname(resolve(path)), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`) : path;
  let fd: number;
  try {
    fd = openSync(target, atomic ? 'wx' : 'w', (existing?.mode ?? 0o666) & 0o777); // keep the replaced file's permissions
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'ENOENT' ? 'its directory does not exist' : e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.message;
    throw new IsovaeError('E_OUTPUT', `--output "${path}": cannot create the file (${e.code}: ${hint}).`, { cause: err });
  }
  // A second Ctrl-C (process.exit) must not leave the temporary file behind.
  const cleanup = () => {
    try {
      unlinkSync(target);
    } catch {
      // already renamed or removed
    }
  };
  if (atomic) process.on('exit', cleanup);
  const stream = opts.createStream ? opts.createStream(fd, path) : createWriteStream('', { fd, autoClose: true });
  const w = checkedWriter(stream, path, atomic, true);
  let bytes = 0;
  let done = false;
  const finish = () => {
    done = true;
    if (atomic) process.off('exit', cleanup);
  };
  return {
    name: path,
    get bytes() { return bytes; },
    write: async (chunk) => { await w.write(chunk); bytes += Buffer.byteLength(chunk); },
    async commit() {
      if (done) return;
      try {
        await w.end();
        if (atomic) await rename(target, path).catch((err: unknown) => { throw writeError(path, err, true); });
      } catch (err) {
        if (atomic) await unlink(target).catch(() => {});
        throw err;
      } finally {
        finish();
      }
    },
    async abort() {
      if (done) return;
      stream.destroy();
      if (atomic) await unlink(target).catch(() => {});
      finish();
    },
  };
}

/**
 * The frame of a streaming command: open `path` (refusing one of `inputs`), run `work` with Ctrl-C/SIGTERM
 * turned into its abort signal, then commit the output; on an error discard it and rethrow. When `work` reports
 * `interrupted`, the rows written so far are kept (committed), a note goes to stderr and the exit code is 130.
 */
export async function withOutput(
  command: string, path: string, inputs: readonly string[],
  work: (out: Output, signal: AbortSignal) => Promise<{ rows: number; interrupted: boolean }>,
): Promise<void> {
  const out = openOutput(path, { inputs });
  await withInterrupt('stopping after the current batch; keeping the rows written so far', async (signal) => {
    let res: { rows: number; interrupted: boolean };
    try {
      res = await work(out, signal);
      await out.commit();
    } catch (err) {
      await out.abort();
      throw err;
    }
    if (res.interrupted) {
      process.stderr.write(`isovae ${command}: interrupted; the first ${res.rows} rows were written to ${out.name}.\n`);
      process.exitCode = EXIT_INTERRUPTED;
    }
  });
}
