import type { IncomingMessage } from 'node:http';
import { badRequest, HttpError } from './errors.ts';

/**
 * Read a JSON request body of at most `maxBytes` bytes. 413 `payload_too_large` as soon as the
 * declared or received length passes the limit (the rest is not buffered), 415 for a declared
 * content type other than JSON, 400 `invalid_json` for unparsable text.
 */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', `Content-Type must be application/json (got "${type}").`);
  }
  const tooLarge = (): HttpError => new HttpError(413, 'payload_too_large', `the request body exceeds ${maxBytes} bytes; send fewer or shorter inputs per request.`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge();
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'invalid_json', 'the request body is empty; send a JSON object.');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new HttpError(400, 'invalid_json', `the request body is not valid JSON (${(e as Error).message}).`);
  }
}

/** The body as a JSON object (400 otherwise). */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/**
 * `input`: a string or a non-empty array of strings, at most `maxInputs` of them, each at most
 * `maxChars` characters. Returns the array.
 */
export function textInputs(v: unknown, field: string, limits: { maxInputs: number; maxChars: number }): string[] {
  if (v === undefined) throw badRequest(`"${field}" is required: a string or an array of strings.`, field);
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list) || list.length === 0) throw badRequest(`"${field}" must be a string or a non-empty array of strings.`, field);
  if (list.length > limits.maxInputs) throw badRequest(`"${field}" has ${list.length} items; at most ${limits.maxInputs} per request (split the request).`, field);
  list.forEach((s: unknown, i) => {
    if (typeof s !== 'string') throw badRequest(`"${field}[${i}]" must be a string (got ${s === null ? 'null' : typeof s}).`, field);
    if (s.length > limits.maxChars) throw badRequest(`"${field}[${i}]" has ${s.length} characters; at most ${limits.maxChars}.`, field);
  });
  return list as string[];
}

/** An optional integer field in [min, max] (400 naming the field otherwise). */
export function intField(body: Record<string, unknown>, field: string, def: number, min: number, max: number): number {
  const v = body[field];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badRequest(`"${field}" must be an integer in [${min}, ${max}] (got ${JSON.stringify(v)}).`, field);
  return v;
}

/** An optional string field restricted to `allowed` values. */
export function enumField<T extends string>(body: Record<string, unknown>, field: string, allowed: readonly T[], def: T): T {
  const v = body[field];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw badRequest(`"${field}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')} (got ${JSON.stringify(v)}).`, field);
  return v as T;
}
