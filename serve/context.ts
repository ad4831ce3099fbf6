import { badRequest, HttpError } from './errors.ts';
import type { ServerMetrics } from './metrics.ts';
import type { ServeOptions } from './options.ts';
import type { Deadline, ServedModel } from './served-model.ts';

/** What a route handler sees: the options, the loaded models, metrics and the request deadline. */
export interface RouteContext {
  opts: ServeOptions;
  models: ReadonlyMap<string, ServedModel>;
  metrics: ServerMetrics;
  deadline: Deadline;
}

/**
 * The model a `/v1` request names in `model`, or the only loaded model when `model` is absent.
 * 404 `not_found` for an unknown name, 400 when the name is missing and several models are loaded.
 */
export function pickModel(ctx: RouteContext, v: unknown): ServedModel {
  if (v === undefined || v === null) {
    if (ctx.models.size === 1) return [...ctx.models.values()][0]!;
    throw badRequest(`"model" is required when several models are served (${[...ctx.models.keys()].join(', ')}).`, 'model');
  }
  if (typeof v !== 'string') throw badRequest('"model" must be a string.', 'model');
  const m = ctx.models.get(v);
  if (!m) throw new HttpError(404, 'not_found', `model "${v}" is not served here; served models: ${[...ctx.models.keys()].join(', ')} (GET /v1/models).`, 'model');
  return m;
}
