/**
 * A request that the server refuses or cannot finish, answered as JSON with `status`.
 * `type` is a stable machine-readable string (OpenAI-style `error.type`), `message` says what was
 * wrong and what to do, `param` names the offending request field when there is one.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: HttpErrorType,
    message: string,
    readonly param: string | null = null,
    /** Extra response headers (e.g. `Retry-After` on 429, `WWW-Authenticate` on 401). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Every error type the server answers with. */
export type HttpErrorType =
  | 'invalid_json' // 400: the body is not JSON
  | 'invalid_request' // 400: a field is missing, of the wrong type or out of range
  | 'unauthorized' // 401: missing or wrong bearer token
  | 'not_found' // 404: unknown route or model
  | 'method_not_allowed' // 405
  | 'payload_too_large' // 413: body over --max-body-bytes
  | 'unsupported_media_type' // 415: a body that is not application/json
  | 'queue_full' // 429: the batch queue is full; retry after Retry-After seconds
  | 'timeout' // 503: not finished within --timeout-ms
  | 'shutting_down' // 503: the server is draining after SIGTERM/SIGINT
  | 'internal_error'; // 500: a bug or an onnxruntime failure

/** 400 for a bad request field. */
export function badRequest(message: string, param: string | null = null): HttpError {
  return new HttpError(400, 'invalid_request', message, param);
}
