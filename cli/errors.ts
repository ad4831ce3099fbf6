import { IsovaeError } from '../core/errors.ts';
import { OutputClosed } from './output.ts';

/** Node's errors from system calls (fs, streams) carry an errno code such as ENOENT, EACCES, ENOSPC. */
function systemCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : null;
}

/**
 * How an error that reached the top level is shown: one line `isovae <command>: <message> [<code>]` and an exit
 * code (1 failure, 2 usage; 0 for a pipe closed by its reader). Unexpected errors (bugs, library failures) show
 * their first line only with E_INTERNAL, never a library's (minified) source; `--debug` adds the stack.
 */
export function describeError(command: string, err: unknown, debug: boolean): { text: string | null; exitCode: number } {
  if (err instanceof OutputClosed) return { text: null, exitCode: 0 };
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  const prefix = `isovae ${command}`;
  if (err instanceof IsovaeError) return { text: `${prefix}: ${err.message} [${err.code}]${stack}`, exitCode: 1 };
  if (err instanceof TypeError && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    return { text: `${prefix}: ${err.message}\n(see isovae ${command} --help)`, exitCode: 2 };
  }
  if (err instanceof RangeError) {
    // bad arguments reported by a library function: its message names the argument (a CLI flag parser's message
    // may already start with the command: not repeated)
    const msg = err.message.startsWith(`${prefix}: `) ? err.message.slice(prefix.length + 2) : err.message;
    return { text: `${prefix}: ${msg}\n(see isovae ${command} --help)${stack}`, exitCode: 2 };
  }
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 400);
  const code = systemCode(err);
  if (code && !code.startsWith('ERR_')) return { text: `${prefix}: ${first} [${code}]${stack}`, exitCode: 1 };
  const hint = debug ? '' : ' (rerun with --debug for the stack trace, and report it if it looks like a bug)';
  return { text: `${prefix}: internal error: ${err instanceof Error ? `${err.name}: ` : ''}${first} [E_INTERNAL]${hint}${stack}`, exitCode: 1 };
}
