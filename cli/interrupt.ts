/** Exit code of a command stopped by Ctrl-C / SIGTERM (128 + SIGINT, the shell convention). */
export const EXIT_INTERRUPTED = 130;

/**
 * Run `work` with Ctrl-C (SIGINT) and SIGTERM turned into a clean stop: the first signal prints `message` and
 * aborts the signal passed to `work` (long jobs finish their step, write their checkpoint or flush what is done,
 * and the command exits 130); a second signal exits at once with 130. "At once" is safe: checkpoints and outputs
 * are written to temporary names and renamed, so an exit at any moment leaves the previous or the new file whole.
 * Long loops must yield to the event loop once per step (`yieldToEventLoop`) for the signal to be seen.
 */
export async function withInterrupt<T>(message: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED); // second signal: give up at once
    process.stderr.write(`\n${sig === 'SIGINT' ? 'interrupted' : sig}: ${message} (Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * Let pending events (signals, I/O callbacks) run before the next step of a long loop. Without it a loop of
 * awaits that resolve immediately (tfjs-wasm on one thread, onnxruntime on the CPU) never reaches the event
 * loop's poll phase, and Ctrl-C is never handled. Costs a few microseconds per call.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
