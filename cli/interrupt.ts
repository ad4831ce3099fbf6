/**
 * Run `work` with Ctrl-C turned into a clean stop: the first SIGINT prints `message` and aborts the signal passed
 * to `work` (long jobs then finish their step and write a checkpoint); a second SIGINT exits at once with 130.
 */
export async function withInterrupt<T>(message: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130); // second Ctrl-C: give up at once
    process.stderr.write(`\n${message} (Ctrl-C again to quit at once)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  try {
    return await work(controller.signal);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
