import { describe, expect, it } from 'vitest';
import { formatGridProgress } from '../../reproduce/progress.ts';

describe('formatGridProgress', () => {
  it('shows runs done / total and an ETA from the units done in this invocation', () => {
    // 30 units took 60 s -> 2 s per unit; 100 - 40 = 60 units left -> 120 s = 02:00. Bar: 40% of 10 = 4 '='.
    const line = formatGridProgress({ done: 3, total: 13, current: 'iso-15-s0', phase: 'epoch 2/3 41%', unitsDone: 40, unitsTotal: 100, seconds: 60, unitsThisCall: 30 }, 10);
    expect(line).toBe('grid [====>     ] 3/13 runs  iso-15-s0 epoch 2/3 41%  elapsed 01:00  ETA 02:00');
  });

  it('has no ETA before any work was timed and a full bar at the end', () => {
    expect(formatGridProgress({ done: 0, total: 2, current: 'ae-s0', phase: '', unitsDone: 0, unitsTotal: 10, seconds: 0, unitsThisCall: 0 }, 4)).toContain('ETA --:--');
    // 3725 s = 1 h 2 min 5 s
    expect(formatGridProgress({ done: 2, total: 2, current: 'ae-s0', phase: 'done', unitsDone: 10, unitsTotal: 10, seconds: 3725, unitsThisCall: 10 }, 4))
      .toBe('grid [====] 2/2 runs  ae-s0 done  elapsed 1:02:05  ETA 00:00');
  });
});
