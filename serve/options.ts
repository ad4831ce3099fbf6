/**
 * Server options with their defaults in one place (`isovae serve` flags map onto these).
 * Limits answer with clear JSON errors instead of queueing or allocating without bound.
 */
export interface ServeOptions {
  /** Interface to bind. Default `127.0.0.1` (loopback only); `0.0.0.0` or `::` exposes the server. */
  host: string;
  /** TCP port; 0 picks a free one (see `RunningServer.port`). Default 8080. */
  port: number;
  /** If set, every route but health (`/health`, `/v2/health/*`) needs `Authorization: Bearer <apiKey>`. */
  apiKey: string | null;
  /** Most sentences (encode) or rows (decode) run together in one batch. Default 128. */
  maxBatch: number;
  /** How long the first queued request waits for others before its batch runs, in ms. Default 2. */
  maxDelayMs: number;
  /** Most requests waiting in one model's encode (or decode) queue; beyond it: 429. Default 1024. */
  maxQueue: number;
  /** Largest request body in bytes; beyond it: 413. Default 1 MiB. */
  maxBodyBytes: number;
  /** Most sentences (or generated rows) per request. Default 256. */
  maxInputs: number;
  /** Longest input text in characters (before tokenization; words past the model's maxLen - 1 are truncated and reported). Default 10,000. */
  maxChars: number;
  /** Largest `max_tokens` a generate/reconstruct request may ask for. Default 256. */
  maxTokens: number;
  /** A request not answered within this many ms gets 503 `timeout` and its queued work is dropped. Default 30,000. */
  timeoutMs: number;
  /** `Retry-After` seconds sent with 429. Default 1. */
  retryAfterSeconds: number;
}

/** The defaults of every option. */
export const DEFAULT_SERVE_OPTIONS: Readonly<ServeOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  apiKey: null,
  maxBatch: 128,
  maxDelayMs: 2,
  maxQueue: 1024,
  maxBodyBytes: 1 << 20,
  maxInputs: 256,
  maxChars: 10_000,
  maxTokens: 256,
  timeoutMs: 30_000,
  retryAfterSeconds: 1,
});

const INT_MIN: Partial<Record<keyof ServeOptions, number>> = {
  port: 0, maxBatch: 1, maxDelayMs: 0, maxQueue: 1, maxBodyBytes: 64, maxInputs: 1, maxChars: 1, maxTokens: 1, timeoutMs: 1, retryAfterSeconds: 1,
};

/** Defaults overridden by `opts`; RangeError naming the option on a bad value. */
export function resolveServeOptions(opts: Partial<ServeOptions> = {}): ServeOptions {
  const out: ServeOptions = { ...DEFAULT_SERVE_OPTIONS };
  for (const [key, value] of Object.entries(opts) as Array<[keyof ServeOptions, unknown]>) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_SERVE_OPTIONS)) throw new RangeError(`serve: unknown option "${key}"; valid: ${Object.keys(DEFAULT_SERVE_OPTIONS).join(', ')}.`);
    const min = INT_MIN[key];
    if (min !== undefined) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new RangeError(`serve: ${key} must be an integer >= ${min} (got ${String(value)}).`);
      if (key === 'port' && value > 65535) throw new RangeError(`serve: port must be <= 65535 (got ${value}).`);
    } else if (key === 'host' && (typeof value !== 'string' || value === '')) {
      throw new RangeError('serve: host must be a non-empty string.');
    } else if (key === 'apiKey' && value !== null && (typeof value !== 'string' || value.length < 1)) {
      throw new RangeError('serve: apiKey must be a non-empty string or null.');
    }
    (out as unknown as Record<string, unknown>)[key] = value;
  }
  return out;
}
