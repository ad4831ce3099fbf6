/**
 * The progress bar over the whole grid: runs done / total, the current run and its phase, and an
 * ETA from the work units done so far in this invocation (a run's units = its training steps plus
 * a fixed evaluation allowance, so a 0.1% subset run counts for little).
 */

import { clock, LineBar, textBar } from '../train/progress.ts';

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


/** `grid [=====>      ] 5/13 runs  iso-15-s0 epoch 2/3 41%  elapsed 12:01  ETA 20:13` */
export function formatGridProgress(p: GridProgress, width = 24): string {
  const bar = textBar(p.unitsTotal > 0 ? p.unitsDone / p.unitsTotal : 0, width);
  const rate = p.unitsThisCall > 0 ? p.seconds / p.unitsThisCall : NaN;
  const eta = rate * (p.unitsTotal - p.unitsDone);
  return `grid [${bar}] ${p.done}/${p.total} runs  ${p.current} ${p.phase}  elapsed ${clock(p.seconds)}  ETA ${clock(eta)}`;
}

/**
 * Draws {@link formatGridProgress} on a stream: redrawn in place on a terminal, otherwise one line
 * at most every `intervalMs` [30 s] (logs stay short). `log` prints a line above the bar.
 */
export class GridBar {
  private readonly line: LineBar;

  constructor(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stderr, intervalMs = 30_000) {
    this.line = new LineBar(stream, intervalMs);
  }

  update(p: GridProgress, force = false): void {
    this.line.draw(formatGridProgress(p), force);
  }

  /** Prints a message on its own line (ending the bar line first on a terminal). */
  log(message: string): void {
    this.line.log(message);
  }
}
