import type { Decoded, IsovaeModel } from '../runtime/index.ts';
import { DecodeBatcher, type DecodeWork } from './decode-batcher.ts';
import { EncodeBatcher, type Encoded } from './encode-batcher.ts';
import { HttpError } from './errors.ts';
import type { BatchLimits, BatchObserver } from './queue.ts';

/** Model names usable in URLs and JSON: letters, digits, `_`, `-`, `.`, at most 64 characters. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** When a request must be answered by (ms on the performance.now() clock). */
export interface Deadline {
  at: number;
}

/** Await a batcher handle, cancelling its job and answering 503 `timeout` when `deadline` passes first. */
async function within<T>(handle: { promise: Promise<T>; cancel: () => void }, deadline: Deadline): Promise<T> {
  const left = deadline.at - performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      handle.cancel();
      reject(new HttpError(503, 'timeout', 'the request did not finish within the server timeout (--timeout-ms); retry later or send fewer inputs.', null, { 'Retry-After': '1' }));
    }, Math.max(0, left));
  });
  try {
    return await Promise.race([handle.promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** One loaded model with its encode and decode batchers. */
export class ServedModel {
  readonly encoder: EncodeBatcher;
  readonly decoder: DecodeBatcher;

  constructor(readonly name: string, readonly model: IsovaeModel, limits: BatchLimits, observer: BatchObserver) {
    if (!MODEL_NAME.test(name)) throw new RangeError(`serve: model name "${name}" must match ${MODEL_NAME} (letters, digits, _ - .).`);
    this.encoder = new EncodeBatcher(model, limits, observer);
    this.decoder = new DecodeBatcher(model, limits, observer);
  }

  /** Texts -> id rows (word ids + `<eos>`), the indices of truncated texts and the token count. */
  tokenize(texts: readonly string[]): { rows: Int32Array[]; truncated: number[]; tokens: number } {
    const rows: Int32Array[] = [];
    const truncated: number[] = [];
    let tokens = 0;
    texts.forEach((t, i) => {
      const r = this.model.toIds(t);
      rows.push(r.ids);
      tokens += r.ids.length;
      if (r.truncated) truncated.push(i);
    });
    return { rows, truncated, tokens };
  }

  /** Posteriors of id rows through the encode batcher. */
  encode(rows: Int32Array[], deadline: Deadline): Promise<Encoded> {
    return within(this.encoder.submit(rows), deadline);
  }

  /** Greedy decodes through the continuous decode batch. */
  decode(work: DecodeWork, deadline: Deadline): Promise<Decoded[]> {
    return within(this.decoder.submit(work), deadline);
  }

  /** Resolves once both batchers are idle. */
  async drained(): Promise<void> {
    await Promise.all([this.encoder.drained(), this.decoder.drained()]);
  }
}
