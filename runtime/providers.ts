import type * as ortTypes from 'onnxruntime-common';
import { IsovaeError } from '../core/errors.ts';
import { PROVIDERS, type Logger, type Platform, type Provider } from './types.ts';

/**
 * Pick the execution providers to try, in order: each requested provider that can run on this
 * platform, then the platform fallback (cpu on node, wasm on web). An unavailable request logs a
 * warning with the reason, or throws `IsovaeError('E_PROVIDER')` if `strict`.
 */
export function resolveProviders(platform: Platform, requested: readonly Provider[], strict: boolean, logger: Logger): Provider[] {
  if (!Array.isArray(requested) || requested.length === 0) {
    throw new TypeError(`executionProviders must be a non-empty array of ${PROVIDERS.join(', ')}.`);
  }
  const out: Provider[] = [];
  for (const p of requested) {
    if (!PROVIDERS.includes(p)) throw new RangeError(`executionProviders: unknown provider "${String(p)}"; valid: ${PROVIDERS.join(', ')}.`);
    const why = platform.unavailable(p);
    if (why === null) {
      if (!out.includes(p)) out.push(p);
      continue;
    }
    if (strict) throw new IsovaeError('E_PROVIDER', `execution provider "${p}" is not available: ${why}`);
    logger.warn(`isovae: execution provider "${p}" is not available (${why}); falling back.`);
  }
  // Strict mode runs only what was asked for; otherwise the platform default is the last resort.
  if (!strict && !out.includes(platform.fallback)) out.push(platform.fallback);
  return out;
}

/** onnxruntime session options for one provider (2 threads and all graph optimisations are set by callers). */
export function sessionOptions(provider: Provider, threads: number | undefined, extra: Partial<ortTypes.InferenceSession.SessionOptions> = {}): ortTypes.InferenceSession.SessionOptions {
  const opts: ortTypes.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    ...extra,
  };
  if (threads !== undefined) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be an integer >= 1 (got ${threads}).`);
    opts.intraOpNumThreads = threads;
  }
  return opts;
}

/**
 * Create sessions with the first provider that works, in `order`. `create` builds every session of
 * the model for one provider (and releases what it made if it fails). A failure falls through to
 * the next provider with a warning, or throws `IsovaeError('E_PROVIDER')` if `strict`. A failure of
 * the last provider is reported as `IsovaeError('E_MODEL_FILE')` (onnxruntime rejected the model).
 */
export async function createWithFallback<T>(
  order: readonly Provider[],
  strict: boolean,
  logger: Logger,
  create: (p: Provider) => Promise<T>,
): Promise<{ provider: Provider; value: T }> {
  for (let i = 0; i < order.length; i++) {
    const p = order[i]!;
    try {
      return { provider: p, value: await create(p) };
    } catch (e) {
      if (e instanceof IsovaeError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      // An accelerator that fails is a provider problem; the base providers failing means a bad model.
      const accelerator = p === 'cuda' || p === 'webgpu';
      if (strict && accelerator) throw new IsovaeError('E_PROVIDER', `execution provider "${p}" failed to create a session: ${msg}`, { cause: e });
      if (i === order.length - 1) {
        throw new IsovaeError('E_MODEL_FILE', `onnxruntime could not load the model with execution provider "${p}": ${msg}; re-export the model (isovae export <checkpoint> <out-dir>).`, { cause: e });
      }
      logger.warn(`isovae: execution provider "${p}" failed to create a session (${msg.split('\n')[0]}); trying "${order[i + 1]}".`);
    }
  }
  throw new IsovaeError('E_PROVIDER', 'no execution provider to try.');
}
