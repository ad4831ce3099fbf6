/** Figures shown by the progress bar. */
export interface ProgressInfo {
  epoch: number; // 1-based
  epochs: number;
  batch: number; // 1-based within the epoch
  batches: number;
  /** Running means over this epoch, nats per sentence. */
  loss: number;
  kl: number;
  rec: number;
  tokensPerSecond: number;
  /** Estimated seconds to the end of training. */
  etaSeconds: number;
}

function clock(s: number): string {
  if (!Number.isFinite(s)) return '--:--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/** One progress line: `epoch 3/20 [=====>     ] 12/88  1,234 tok/s  loss 98.10  kl 5.01  rec 93.09  ETA 12:34`. */
export function formatProgress(p: ProgressInfo, width = 20): string {
  const frac = p.batches > 0 ? p.batch / p.batches : 0;
  const filled = Math.min(width, Math.floor(frac * width));
  const bar = '='.repeat(filled) + (filled < width ? '>' : '') + ' '.repeat(Math.max(0, width - filled - 1));
  return (
    `epoch ${p.epoch}/${p.epochs} [${bar}] ${p.batch}/${p.batches}  ` +
    `${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tok/s  loss ${p.loss.toFixed(2)}  kl ${p.kl.toFixed(2)}  ` +
    `rec ${p.rec.toFixed(2)}  ETA ${clock(p.etaSeconds)}`
  );
}

/**
 * Progress bar on a stream: redraws one line with `\r` on a terminal; elsewhere (CI, pipes) prints a
 * full line at most every `intervalMs` (default 10 s) so logs stay short.
 */
export class ProgressBar {
  private lastPrint = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly intervalMs = 10_000,
  ) {}

  update(p: ProgressInfo): void {
    const line = formatProgress(p);
    if (this.stream.isTTY) {
      this.stream.write(`\r${line.slice(0, (this.stream.columns || 120) - 1)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPrint >= this.intervalMs || p.batch === p.batches) {
      this.stream.write(line + '\n');
      this.lastPrint = now;
    }
  }

  /** End the current line (before printing anything else). */
  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
