/**
 * The progress bar over the whole grid: runs done / total, the current run and its phase, and an
 * ETA from the work units done so far in this invocation (a run's units = its training steps plus
 * a fixed evaluation allowance, so a 0.1% subset run counts for little).
 */

/** Snapshot shown by the bar. */
export interface GridProgress {
  done: number;
  total: number;
  current: string;
  /** Phase of the current run, e.g. `epoch 2/3 41%` or `evaluating`. */
  phase: string;
  /** Units done / total over the grid (for the bar and ETA). */
  unitsDone: number;
  unitsTotal: number;
  /** Seconds spent on units done in this invocation, and those units. */
  seconds: number;
  unitsThisCall: number;
}

function clock(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '--:--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return `${h > 0 ? `${h}:` : ''}${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/** `grid [=====>      ] 5/13 runs  iso-15-s0 epoch 2/3 41%  elapsed 12:01  ETA 20:13` */
export function formatGridProgress(p: GridProgress, width = 24): string {
  const frac = p.unitsTotal > 0 ? Math.min(1, p.unitsDone / p.unitsTotal) : 0;
  const filled = Math.floor(frac * width);
  const bar = '='.repeat(filled) + (filled < width ? '>' : '') + ' '.repeat(Math.max(0, width - filled - 1));
  const rate = p.unitsThisCall > 0 ? p.seconds / p.unitsThisCall : NaN;
  const eta = rate * (p.unitsTotal - p.unitsDone);
  return `grid [${bar}] ${p.done}/${p.total} runs  ${p.current} ${p.phase}  elapsed ${clock(p.seconds)}  ETA ${clock(eta)}`;
}

/**
 * Draws {@link formatGridProgress} on a stream: redrawn in place on a terminal, otherwise one line
 * at most every `intervalMs` [30 s] (logs stay short). `log` prints a line above the bar.
 */
export class GridBar {
  private last = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stderr,
    private readonly intervalMs = 30_000,
  ) {}

  update(p: GridProgress, force = false): void {
    const line = formatGridProgress(p);
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

  /** Prints a message on its own line (ending the bar line first on a terminal). */
  log(message: string): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
    this.stream.write(message + '\n');
  }
}
