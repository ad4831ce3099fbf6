import { EOS_ID, NUM_SPECIAL, PAD_ID } from '../core/special.ts';
import type { RouteContext } from './context.ts';
import { badRequest, HttpError } from './errors.ts';
import { objectBody } from './request.ts';
import type { ServedModel } from './served-model.ts';

/**
 * Open Inference Protocol (KServe v2, Triton's HTTP API) for the encoder of each served model.
 * A model answers under its own name and under `<name>_encoder`, the name `isovae export --triton`
 * gives it, so a client works against this server and against Triton unchanged.
 * Inputs: `tokens` INT32 `[batch, seq]` (word ids, one `<eos>`, post-padded with 0 — what
 * `model.toIds` gives, padded), or `text` BYTES `[batch]` (tokenized here). Outputs: `mean` and,
 * unless the model is an AE, `logvar`, FP32 `[batch, K]`.
 */

/** Version string reported by `GET /v2`. */
export const SERVER_VERSION = '0.1.0';

/** The served model behind a KServe model name (`<name>` or `<name>_encoder`), or 404. */
export function kserveModel(ctx: RouteContext, name: string): ServedModel {
  const m = ctx.models.get(name) ?? (name.endsWith('_encoder') ? ctx.models.get(name.slice(0, -'_encoder'.length)) : undefined);
  if (!m) throw new HttpError(404, 'not_found', `model "${name}" is not served here; served: ${[...ctx.models.keys()].join(', ')}.`);
  return m;
}

/** `GET /v2`: server metadata. */
export function serverMetadata(): unknown {
  return { name: 'isovae', version: SERVER_VERSION, extensions: [] };
}

/** `GET /v2/models/{name}`: model metadata (inputs and outputs with datatype and shape, -1 = variable). */
export function modelMetadata(ctx: RouteContext, name: string): unknown {
  const m = kserveModel(ctx, name).model;
  const K = m.latentDim;
  const outputs = [{ name: 'mean', datatype: 'FP32', shape: [-1, K] }];
  if (m.config.posterior !== 'ae') outputs.push({ name: 'logvar', datatype: 'FP32', shape: [-1, K] });
  return {
    name, versions: ['1'], platform: 'isovae_onnxruntime',
    inputs: [{ name: 'tokens', datatype: 'INT32', shape: [-1, -1] }, { name: 'text', datatype: 'BYTES', shape: [-1] }],
    outputs,
    parameters: { max_len: m.maxLen, vocab_size: m.config.vocabSize, posterior: m.config.posterior, note: 'send exactly one of the inputs "tokens" or "text"' },
  };
}

/** Flatten KServe `data` (flat or nested arrays) and check its element count against `shape`. */
function flatData(input: Record<string, unknown>, shape: number[], label: string): unknown[] {
  if (!Array.isArray(input.data)) throw badRequest(`${label}.data must be an array.`);
  const flat = (input.data as unknown[]).flat(shape.length) as unknown[];
  const n = shape.reduce((a, b) => a * b, 1);
  if (flat.length !== n) throw badRequest(`${label}: shape [${shape}] needs ${n} values but data has ${flat.length}.`);
  return flat;
}

/** Parse `shape` of an input: an array of positive integers of the given rank. */
function shapeOf(input: Record<string, unknown>, rank: number, label: string): number[] {
  const s = input.shape;
  if (!Array.isArray(s) || s.length !== rank || !s.every((d) => Number.isInteger(d) && (d as number) >= 1)) {
    throw badRequest(`${label}.shape must be ${rank === 2 ? '[batch, seq]' : '[batch]'} with positive integers (got ${JSON.stringify(s)}).`);
  }
  return s as number[];
}

/**
 * Rows of a `tokens` INT32 [batch, seq] input as encoder rows (word ids then one `<eos>`): trailing
 * padding is dropped, a missing final `<eos>` is added, rows longer than `maxLen - 1` words are
 * truncated (their indices returned). Checked here, so one bad row never fails a shared batch.
 */
function tokenRows(input: Record<string, unknown>, ctx: RouteContext, V: number, maxWords: number): { rows: Int32Array[]; truncated: number[] } {
  if (input.datatype !== 'INT32') throw badRequest(`input "tokens" must have datatype "INT32" (got ${JSON.stringify(input.datatype)}).`);
  const [b, t] = shapeOf(input, 2, 'input "tokens"') as [number, number];
  if (b > ctx.opts.maxInputs) throw badRequest(`input "tokens" has ${b} rows; at most ${ctx.opts.maxInputs} per request.`);
  const flat = flatData(input, [b, t], 'input "tokens"');
  const rows: Int32Array[] = [];
  const truncated: number[] = [];
  for (let r = 0; r < b; r++) {
    const row = flat.slice(r * t, (r + 1) * t);
    let n = t;
    while (n > 0 && row[n - 1] === PAD_ID) n--;
    if (n > 0 && row[n - 1] === EOS_ID) n--;
    for (let i = 0; i < n; i++) {
      const v = row[i];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < NUM_SPECIAL || v >= V) {
        throw badRequest(`input "tokens" row ${r} position ${i} is ${JSON.stringify(v)}; rows are word ids in [${NUM_SPECIAL}, ${V}), then one <eos> (${EOS_ID}), then padding (${PAD_ID}).`);
      }
    }
    if (n > maxWords) truncated.push(r);
    const kept = Math.min(n, maxWords);
    const ids = new Int32Array(kept + 1);
    for (let i = 0; i < kept; i++) ids[i] = row[i] as number;
    ids[kept] = EOS_ID;
    rows.push(ids);
  }
  return { rows, truncated };
}

/**
 * `POST /v2/models/{name}/infer` `{ id?, inputs: [{ name, shape, datatype, data }], outputs?: [{ name }] }`
 * -> `{ model_name, model_version: "1", id?, parameters: { truncated: "i,j" }, outputs: [{ name, datatype: "FP32", shape: [batch, K], data }] }`.
 */
export async function infer(ctx: RouteContext, name: string, raw: unknown): Promise<unknown> {
  const served = kserveModel(ctx, name);
  const m = served.model;
  const body = objectBody(raw);
  if (body.id !== undefined && typeof body.id !== 'string') throw badRequest('"id" must be a string.');
  if (!Array.isArray(body.inputs) || body.inputs.length !== 1) throw badRequest('"inputs" must be an array with exactly one input: "tokens" (INT32 [batch, seq]) or "text" (BYTES [batch]).');
  const input = objectBody(body.inputs[0]);
  let rows: Int32Array[];
  let truncated: number[];
  if (input.name === 'tokens') {
    ({ rows, truncated } = tokenRows(input, ctx, m.config.vocabSize, m.maxLen - 1));
  } else if (input.name === 'text') {
    if (input.datatype !== 'BYTES') throw badRequest(`input "text" must have datatype "BYTES" (got ${JSON.stringify(input.datatype)}).`);
    const [b] = shapeOf(input, 1, 'input "text"') as [number];
    if (b > ctx.opts.maxInputs) throw badRequest(`input "text" has ${b} rows; at most ${ctx.opts.maxInputs} per request.`);
    const texts = flatData(input, [b], 'input "text"');
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw badRequest(`input "text" element ${i} must be a string.`);
      if (t.length > ctx.opts.maxChars) throw badRequest(`input "text" element ${i} has ${t.length} characters; at most ${ctx.opts.maxChars}.`);
    });
    ({ rows, truncated } = served.tokenize(texts as string[]));
  } else {
    throw badRequest(`unknown input ${JSON.stringify(input.name)}; expected "tokens" or "text".`);
  }
  const available = m.config.posterior === 'ae' ? ['mean'] : ['mean', 'logvar'];
  let wanted = available;
  if (body.outputs !== undefined) {
    if (!Array.isArray(body.outputs)) throw badRequest('"outputs" must be an array of { name }.');
    wanted = body.outputs.map((o: unknown) => {
      const n = objectBody(o).name;
      if (typeof n !== 'string' || !available.includes(n)) throw badRequest(`unknown output ${JSON.stringify(n)}; available: ${available.join(', ')}.`);
      return n;
    });
  }
  const res = await served.encode(rows, ctx.deadline);
  ctx.metrics.processed(served.name, 'infer', rows.length);
  const shape = [rows.length, m.latentDim];
  const outputs = wanted.map((o) => ({ name: o, datatype: 'FP32', shape, data: Array.from(o === 'mean' ? res.mean : res.logvar!) }));
  // Truncated rows (more than maxLen - 1 words) are listed in parameters, as the runtime's encode does.
  return { model_name: name, model_version: '1', ...(body.id !== undefined ? { id: body.id } : {}), parameters: { truncated: truncated.join(',') }, outputs };
}
