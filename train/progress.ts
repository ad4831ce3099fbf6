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

/** Seconds as `m:ss` / `h:mm:ss`; `--:--` when unknown or negative. */
export function clock(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/** One progress line: `epoch 3/20 [=====>     ] 12/88  1,234 tok/s  loss 98.10  kl 5.01  rec 93.09  ETA 12:34`. */
export function formatProgress(p: ProgressInfo, width = 20): string {
  const bar = textBar(p.batches > 0 ? p.batch / p.batches : 0, width);
  return (
    `epoch ${p.epoch}/${p.epochs} [${bar}] ${p.batch}/${p.batches}  ` +
    `${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tok/s  loss ${p.loss.toFixed(2)}  kl ${p.kl.toFixed(2)}  ` +
    `rec ${p.rec.toFixed(2)}  ETA ${clock(p.etaSeconds)}`
  );
}

/** `=====>     `: a bar `width` characters wide filled to `frac` (0..1). */
export function textBar(frac: number, width: number): string {
  const filled = Math.min(width, Math.floor(Math.min(1, Math.max(0, frac)) * width));
  return '='.repeat(filled) + (filled < width ? '>' : '') + ' '.repeat(Math.max(0, width - filled - 1));
}

/** A writable stream as the bars use it. */
type BarStream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/**
 * One status line on a stream: redrawn in place with `\r` on a terminal; elsewhere (CI, pipes) printed as a
 * full line at most every `intervalMs` (or when forced), so logs stay short.
 */
export class LineBar {
  private last = 0;
  private drawn = false;

  constructor(
    private readonly stream: BarStream = process.stderr,
    private readonly intervalMs = 10_000,
  ) {}

  draw(line: string, force = false): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r${line.slice(0, (this.stream.columns || 120) - 1)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (force || now - this.last >= this.intervalMs) {
      this.stream.write(line + '\n');
      this.last = now;
    }
  }

  /** End the current line (before printing anything else). */
  done(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  /** Print a message on its own line (ending the bar line first on a terminal). */
  log(message: string): void {
    this.done();
    this.stream.write(message + '\n');
  }
}

/** The training progress bar: `formatProgress` lines, a full line every 10 s off-terminal and at epoch end. */
export class ProgressBar {
  private readonly line: LineBar;

  constructor(stream: BarStream = process.stderr, intervalMs = 10_000) {
    this.line = new LineBar(stream, intervalMs);
  }

  update(p: ProgressInfo): void {
    this.line.draw(formatProgress(p), p.batch === p.batches);
  }

  /** End the current line (before printing anything else). */
  done(): void {
    this.line.done();
  }
}
