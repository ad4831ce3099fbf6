/**
 * Aggregation helpers for reporting: mean and population standard deviation (ddof = 0, like
 * `np.std`; protocol §0 infers ddof = 0 from Table 4) and the "mean of per-batch means" the
 * paper's test loop reports (protocol §4.1).
 */
import { checkCount } from './matrix.ts';

/** Mean and population standard deviation of a set of values. */
export interface MeanStd {
  mean: number;
  /** Population std, sqrt(sum (x - mean)^2 / n) (ddof = 0). */
  std: number;
  n: number;
}

/**
 * Mean and population std (ddof = 0) of `values`, in float64. Used for the 10 classifier seeds
 * (protocol §4.3) and for the 3 training seeds of every table. RangeError on an empty or
 * non-finite input.
 */
export function meanStd(values: ArrayLike<number>): MeanStd {
  const n = values.length;
  if (n === 0) throw new RangeError('meanStd: values is empty; need at least one value');
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) throw new RangeError(`meanStd: values[${i}] is ${v}; expected a finite number`);
    sum += v;
  }
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    ss += d * d;
  }
  return { mean, std: Math.sqrt(ss / n), n };
}

/**
 * The paper's test-set average (protocol §4.1): split the per-example values into consecutive
 * batches of `batchSize` (test order, last batch partial), average each batch, then average the
 * batch means. Differs slightly from the plain mean when the last batch is smaller.
 */
export function meanOfBatchMeans(perExample: ArrayLike<number>, batchSize: number): number {
  checkCount('meanOfBatchMeans batchSize', batchSize, 1);
  const n = perExample.length;
  if (n === 0) throw new RangeError('meanOfBatchMeans: perExample is empty');
  let total = 0;
  let batches = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    let s = 0;
    for (let i = start; i < end; i++) s += perExample[i] as number;
    total += s / (end - start);
    batches++;
  }
  return total / batches;
}
