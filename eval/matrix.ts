/**
 * Shared conventions for the metric functions in eval/: a matrix is a flat numeric array in
 * row-major order plus explicit dimensions, e.g. N test means of K latent dimensions are
 * `data[i * K + k]` for row i, column k. Any `ArrayLike<number>` works (plain arrays,
 * Float32Array, Float64Array); all arithmetic is done in float64.
 */

/** A flat row-major numeric buffer as accepted by the eval functions. */
export type NumericArray = ArrayLike<number>;

/**
 * Checks that `data` holds an `[rows, cols]` row-major matrix of finite numbers.
 * Throws TypeError for a non-array, RangeError for bad dimensions, a length mismatch or a
 * non-finite entry. `name` is the argument name used in messages.
 */
export function checkMatrix(name: string, data: NumericArray, rows: number, cols: number): void {
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
    throw new TypeError(`${name}: expected an array or typed array of numbers, got ${typeof data}`);
  }
  checkCount(`${name} rows (N)`, rows, 1);
  checkCount(`${name} columns (K)`, cols, 1);
  if (data.length !== rows * cols) {
    throw new RangeError(
      `${name}: length ${data.length} does not match [${rows}, ${cols}] = ${rows * cols} (row-major layout expected)`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new RangeError(
        `${name}: entry ${i} (row ${Math.floor(i / cols)}, column ${i % cols}) is ${String(v)}; all entries must be finite numbers`,
      );
    }
  }
}

/** Checks that `value` is an integer >= `min`; RangeError otherwise. */
export function checkCount(name: string, value: number, min: number): void {
  if (typeof value !== 'number') throw new TypeError(`${name}: expected a number, got ${typeof value}`);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name}: expected an integer >= ${min}, got ${value}`);
  }
}

/** Reads entry i of a checked array (noUncheckedIndexedAccess-friendly; the caller validated bounds). */
export function at(data: NumericArray, i: number): number {
  return data[i] as number;
}

/**
 * Column means of a `[rows, cols]` matrix, float64. Returns `[cols]`.
 */
export function columnMeans(data: NumericArray, rows: number, cols: number): Float64Array {
  const mean = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let k = 0; k < cols; k++) mean[k] = (mean[k] as number) + at(data, base + k);
  }
  for (let k = 0; k < cols; k++) mean[k] = (mean[k] as number) / rows;
  return mean;
}

/**
 * Sample covariance of the columns of a `[rows, cols]` matrix (rows are observations), float64,
 * with the unbiased N-1 normaliser like `np.cov(x, rowvar=False)`. Returns `[cols, cols]`
 * row-major. Needs rows >= 2. Two-pass (centre first) for accuracy.
 */
export function covariance(data: NumericArray, rows: number, cols: number): Float64Array {
  checkMatrix('covariance data', data, rows, cols);
  if (rows < 2) throw new RangeError(`covariance: needs at least 2 rows (observations), got ${rows}`);
  const mean = columnMeans(data, rows, cols);
  const cov = new Float64Array(cols * cols);
  const centred = new Float64Array(cols); // [cols], one row minus the mean
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let k = 0; k < cols; k++) centred[k] = at(data, base + k) - (mean[k] as number);
    for (let a = 0; a < cols; a++) {
      const ca = centred[a] as number;
      for (let b = a; b < cols; b++) cov[a * cols + b] = (cov[a * cols + b] as number) + ca * (centred[b] as number);
    }
  }
  for (let a = 0; a < cols; a++) {
    for (let b = a; b < cols; b++) {
      const v = (cov[a * cols + b] as number) / (rows - 1);
      cov[a * cols + b] = v;
      cov[b * cols + a] = v;
    }
  }
  return cov;
}
