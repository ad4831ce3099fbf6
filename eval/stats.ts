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

/** Result of {@link welchTTest}. */
export interface WelchResult {
  /** Difference of the sample means, mean(a) − mean(b). */
  diff: number;
  /** Welch's t = diff / sqrt(s_a²/n_a + s_b²/n_b), sample variances with n − 1. 0 when both samples are constant and equal; ±Infinity when constant and different. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom (not an integer in general). NaN when both samples are constant. */
  df: number;
  /** Two-sided p-value under Student's t with `df` degrees of freedom: 1 for t = 0, 0 for |t| = Infinity. */
  p: number;
}

/**
 * Welch's two-sample t-test (unequal variances) of mean(a) = mean(b), two-sided. Used by the
 * reproduction report to say whether an IGP − DGP gap over 3 training seeds is larger than the
 * seeds' spread. With 3 seeds per side the test has ~2-4 degrees of freedom, so only large,
 * consistent gaps reach p < 0.05; the p-value is a guide, not a verdict. RangeError unless both
 * samples have at least 2 finite values.
 */
export function welchTTest(a: ArrayLike<number>, b: ArrayLike<number>): WelchResult {
  const sa = sampleMeanVar(a, 'a');
  const sb = sampleMeanVar(b, 'b');
  const diff = sa.mean - sb.mean;
  const va = sa.variance / sa.n;
  const vb = sb.variance / sb.n;
  const se2 = va + vb;
  if (se2 === 0) return diff === 0 ? { diff, t: 0, df: Number.NaN, p: 1 } : { diff, t: diff > 0 ? Infinity : -Infinity, df: Number.NaN, p: 0 };
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (sa.n - 1) + (vb * vb) / (sb.n - 1));
  return { diff, t, df, p: studentTTwoSidedP(t, df) };
}

function sampleMeanVar(x: ArrayLike<number>, name: string): { mean: number; variance: number; n: number } {
  const n = x.length;
  if (n < 2) throw new RangeError(`welchTTest ${name}: has ${n} value(s); need at least 2 (one seed has no spread to test against)`);
  const { mean, std } = meanStd(x);
  // meanStd is ddof = 0; Welch uses the unbiased variance (ddof = 1).
  return { mean, variance: (std * std * n) / (n - 1), n };
}

/**
 * Two-sided tail probability P(|T| >= |t|) of Student's t distribution with `df` > 0 degrees of
 * freedom (real-valued df allowed): I_{df / (df + t²)}(df / 2, 1 / 2), the regularised incomplete
 * beta function. RangeError for df <= 0 or a NaN t.
 */
export function studentTTwoSidedP(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTTwoSidedP df: expected > 0, got ${df}`);
  if (Number.isNaN(t)) throw new RangeError('studentTTwoSidedP t: is NaN');
  if (!Number.isFinite(t)) return 0;
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15). */
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x); // reflection
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const z = x - 1;
  let s = c[0] as number;
  for (let i = 1; i < 9; i++) s += (c[i] as number) / (z + i);
  const tt = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(tt) - tt + Math.log(s);
}

/** I_x(a, b), the regularised incomplete beta function, for 0 <= x <= 1, a, b > 0 (continued fraction, modified Lentz). */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaContinuedFraction(x, a, b)) / a;
  return 1 - (front * betaContinuedFraction(1 - x, b, a)) / b;
}

function betaContinuedFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    // Even step.
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) return h;
  }
  return h; // not reached for the (a, b) of a t-test: converges in < 100 steps
}
