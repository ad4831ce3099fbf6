import type { Decoded } from '../runtime/index.ts';
import { interpolateLatents } from '../runtime/index.ts';
import { pickModel, type RouteContext } from './context.ts';
import { badRequest } from './errors.ts';
import { enumField, intField, objectBody, textInputs } from './request.ts';

/**
 * `/v1` routes: OpenAI-shaped embeddings plus isovae's reconstruct and generate. Every text input
 * is tokenized like `model.toIds` (OOV -> `unk`, more than maxLen - 1 words truncated); the
 * indices of truncated inputs are returned in `truncated`, as the runtime's `encode` does.
 */

/** Little-endian float32 bytes of `v` in base64 (OpenAI `encoding_format: "base64"`). */
export function float32Base64(v: Float32Array): string {
  const buf = Buffer.alloc(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4);
  return buf.toString('base64');
}

/** `GET /v1/models`: the served models (OpenAI list shape). */
export function listModels(ctx: RouteContext): unknown {
  return {
    object: 'list',
    data: [...ctx.models.values()].map((m) => ({
      object: 'model', id: m.name, owned_by: 'isovae',
      posterior: m.model.config.posterior, latent_dim: m.model.latentDim, max_len: m.model.maxLen, vocab_size: m.model.config.vocabSize,
    })),
  };
}

/**
 * `POST /v1/embeddings` `{ model?, input: string | string[], encoding_format?: "float" | "base64" }`
 * -> `{ object: "list", data: [{ object: "embedding", index, embedding }], model, usage, truncated }`.
 * The embedding is the posterior mean `[K]`; usage counts tokens including each row's `<eos>`.
 */
export async function embeddings(ctx: RouteContext, raw: unknown): Promise<unknown> {
  const body = objectBody(raw);
  const served = pickModel(ctx, body.model);
  const format = enumField(body, 'encoding_format', ['float', 'base64'] as const, 'float');
  const texts = textInputs(body.input, 'input', ctx.opts);
  const { rows, truncated, tokens } = served.tokenize(texts);
  const { mean } = await served.encode(rows, ctx.deadline);
  ctx.metrics.processed(served.name, 'embeddings', rows.length);
  const k = served.model.latentDim;
  return {
    object: 'list',
    data: rows.map((_, i) => {
      const v = mean.subarray(i * k, (i + 1) * k);
      return { object: 'embedding', index: i, embedding: format === 'base64' ? float32Base64(v) : Array.from(v) };
    }),
    model: served.name,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
    truncated,
  };
}

/** One decoded row in a response. */
function row(d: Decoded, index: number): unknown {
  return { index, text: d.text, tokens: Array.from(d.ids), finished: d.finished };
}

/**
 * `POST /v1/reconstruct` `{ model?, input: string | string[], max_tokens? }`: encode (posterior
 * means) and greedy-decode each input -> `{ object: "list", model, data: [{ index, text, tokens, finished }], truncated }`.
 */
export async function reconstruct(ctx: RouteContext, raw: unknown): Promise<unknown> {
  const body = objectBody(raw);
  const served = pickModel(ctx, body.model);
  const texts = textInputs(body.input, 'input', ctx.opts);
  const maxLen = intField(body, 'max_tokens', served.model.maxLen, 1, ctx.opts.maxTokens);
  const { rows, truncated } = served.tokenize(texts);
  const { mean } = await served.encode(rows, ctx.deadline);
  const decoded = await served.decode({ z: mean, prefixes: rows.map(() => new Int32Array(0)), maxLen }, ctx.deadline);
  ctx.metrics.processed(served.name, 'reconstruct', rows.length);
  return { object: 'list', model: served.name, data: decoded.map(row), truncated };
}

/**
 * `POST /v1/generate` with `mode`:
 * - `"sample"` `{ n? (1), seed? (0) }`: z ~ N(0, I) from core/rng.ts (same z as `model.sample(n, { seed })`);
 * - `"impute"` `{ input, impute_mode?: "intended" | "faithful" }`: complete each prefix (as `model.impute`);
 * - `"interpolate"` `{ input: [a, b], steps? (6) }`: decode the line between the posterior means of a and b.
 * All take `model?` and `max_tokens?` (default the model's maxLen). -> `{ object: "list", model, mode, data, truncated }`.
 */
export async function generate(ctx: RouteContext, raw: unknown): Promise<unknown> {
  const body = objectBody(raw);
  const served = pickModel(ctx, body.model);
  const m = served.model;
  const mode = body.mode;
  if (mode !== 'sample' && mode !== 'impute' && mode !== 'interpolate') throw badRequest('"mode" must be "sample", "impute" or "interpolate".', 'mode');
  const maxLen = intField(body, 'max_tokens', m.maxLen, 1, ctx.opts.maxTokens);
  let z: Float32Array;
  let prefixes: Int32Array[];
  let truncated: number[] = [];
  if (mode === 'sample') {
    const n = intField(body, 'n', 1, 1, ctx.opts.maxInputs);
    const seed = intField(body, 'seed', 0, -(2 ** 31), 2 ** 31 - 1);
    z = m.sample(n, { seed });
    prefixes = Array.from({ length: n }, () => new Int32Array(0));
  } else if (mode === 'impute') {
    const texts = textInputs(body.input, 'input', ctx.opts);
    const how = enumField(body, 'impute_mode', ['intended', 'faithful'] as const, 'intended');
    const tok = served.tokenize(texts);
    truncated = tok.truncated;
    prefixes = tok.rows.map((r) => r.subarray(0, r.length - 1)); // words without <eos>
    if (how === 'intended') {
      z = (await served.encode(tok.rows, ctx.deadline)).mean;
    } else {
      const bias = m.meanHeadBias;
      if (!bias) throw badRequest(`model "${served.name}" stores no mean-head bias; "faithful" imputation needs it (re-export the model), or use "intended".`, 'impute_mode');
      z = new Float32Array(texts.length * m.latentDim);
      for (let i = 0; i < texts.length; i++) z.set(bias, i * m.latentDim);
    }
  } else {
    const ends = textInputs(body.input, 'input', ctx.opts);
    if (ends.length !== 2) throw badRequest(`"input" must be two strings [a, b] for interpolate (got ${ends.length}).`, 'input');
    const steps = intField(body, 'steps', 6, 2, ctx.opts.maxInputs);
    const tok = served.tokenize(ends);
    truncated = tok.truncated;
    z = interpolateLatents((await served.encode(tok.rows, ctx.deadline)).mean, m.latentDim, steps);
    prefixes = Array.from({ length: steps }, () => new Int32Array(0));
  }
  const decoded = await served.decode({ z, prefixes, maxLen }, ctx.deadline);
  ctx.metrics.processed(served.name, 'generate', decoded.length);
  return { object: 'list', model: served.name, mode, data: decoded.map(row), truncated };
}
