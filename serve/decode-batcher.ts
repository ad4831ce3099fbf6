import { BOS_ID, EOS_ID } from '../core/special.ts';
import type { Decoded, IsovaeModel } from '../runtime/index.ts';
import { HttpError } from './errors.ts';
import { deferred, JobQueue, NO_OBSERVER, type BatchLimits, type BatchObserver, type Job } from './queue.ts';

/** One request's decoding work: `n` rows of z, each with its teacher-forced prefix. */
export interface DecodeWork {
  /** `[n * K]` latent codes. */
  z: Float32Array;
  /** Per row: word ids fed after `<bos>` before generation (empty for plain decoding). */
  prefixes: Int32Array[];
  /** Most tokens per row including `<eos>` (as `model.decode`'s `maxLen`); a row generates `max(1, maxLen - prefix)` tokens. */
  maxLen: number;
}

type DecodeJob = Job<Decoded[]> & { work: DecodeWork; left: number; out: Decoded[] };

/** One row in (or waiting for) the running decode batch. */
interface Row {
  job: DecodeJob;
  index: number;
  z: Float32Array; // [K]
  h: Float32Array; // [H]
  c: Float32Array; // [H]
  prefix: Int32Array;
  maxNew: number;
  /** Steps this row has taken. */
  t: number;
  prev: number;
  out: number[];
}

/**
 * Continuous greedy decoding for one model: every step runs `decoder_step` once over all running
 * rows of all requests (up to `maxBatch`). Rows of new requests join at the next step and rows
 * leave the batch at their `<eos>` or length limit, so a short request never waits for a long one
 * and the batch stays full under load. Per row the rule is the runtime's (runtime/greedy.ts):
 * step 0 feeds `<bos>`, then the prefix words, then the previous argmax; the argmax after the last
 * prefix word is the first generated token. Rows are independent, so the tokens are the ones
 * `model.decode` / `model.impute` give for the same z and prefix.
 */
export class DecodeBatcher {
  /** decoder_step runs so far. */
  runs = 0;
  private readonly queue: JobQueue<DecodeJob>;
  private readonly pending: Row[] = [];
  private active: Row[] = [];
  private loop: Promise<void> | null = null;
  private readonly k: number;
  private readonly hDim: number;

  constructor(private readonly model: IsovaeModel, private readonly limits: BatchLimits, private readonly observer: BatchObserver = NO_OBSERVER) {
    this.queue = new JobQueue('decoder', limits, observer);
    this.k = model.latentDim;
    this.hDim = model.config.hiddenDim;
  }

  /** Jobs waiting to join plus rows running. */
  get load(): { waiting: number; running: number } {
    return { waiting: this.queue.length, running: this.active.length + this.pending.length };
  }

  /** Queue a request's rows; resolves with one Decoded per row, in order. HttpError 429 when the queue is full. */
  submit(work: DecodeWork): { promise: Promise<Decoded[]>; cancel: () => void } {
    const n = work.prefixes.length;
    const { job, promise } = deferred<Decoded[], { work: DecodeWork; left: number; out: Decoded[] }>({ work, left: n, out: new Array<Decoded>(n) });
    if (n === 0) {
      job.resolve([]);
      return { promise, cancel: () => {} };
    }
    this.queue.push(job);
    this.start();
    return { promise, cancel: () => { job.cancelled = true; } };
  }

  /** Resolves once no row is queued or running. */
  async drained(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private start(): void {
    if (this.loop) return;
    this.loop = (async () => {
      // An idle batcher waits maxDelayMs so that concurrent requests start in one batch.
      if (this.limits.maxDelayMs > 0) await new Promise((r) => setTimeout(r, this.limits.maxDelayMs));
      try {
        while (this.admit()) await this.step();
      } catch (e) {
        // A bug, not an onnxruntime failure (step() handles those): fail the rows in flight, keep serving.
        const err = new HttpError(500, 'internal_error', `decode loop failed: ${(e as Error).message}`);
        for (const r of [...this.active, ...this.pending.splice(0)]) r.job.reject(err);
        this.active = [];
      } finally {
        this.loop = null;
        if (this.queue.length > 0) this.start();
      }
    })();
  }

  /** Move queued rows into the batch up to maxBatch; false when there is nothing to run. */
  private admit(): boolean {
    this.active = this.active.filter((r) => !r.job.cancelled);
    for (;;) {
      while (this.pending.length > 0 && this.active.length < this.limits.maxBatch) {
        const row = this.pending.shift()!;
        if (!row.job.cancelled) this.active.push(row);
      }
      if (this.active.length >= this.limits.maxBatch) break;
      const job = this.queue.shift();
      if (!job) break;
      const { z, prefixes, maxLen } = job.work;
      prefixes.forEach((prefix, index) => {
        this.pending.push({
          job, index, prefix, z: z.subarray(index * this.k, (index + 1) * this.k),
          h: new Float32Array(this.hDim), c: new Float32Array(this.hDim),
          maxNew: Math.max(1, maxLen - prefix.length), t: 0, prev: 0, out: [],
        });
      });
    }
    return this.active.length > 0;
  }

  /** One decoder_step over the running rows, then retire the rows that stopped. */
  private async step(): Promise<void> {
    const rows = this.active;
    const b = rows.length;
    const { k, hDim: H } = this;
    const token = new Int32Array(b);
    const z = new Float32Array(b * k);
    const h = new Float32Array(b * H);
    const c = new Float32Array(b * H);
    rows.forEach((r, p) => {
      token[p] = r.t === 0 ? BOS_ID : r.t - 1 < r.prefix.length ? r.prefix[r.t - 1]! : r.prev;
      z.set(r.z, p * k);
      h.set(r.h, p * H);
      c.set(r.c, p * H);
    });
    let res: { next: Int32Array; h: Float32Array; c: Float32Array };
    try {
      res = await this.model.decoderStep({ token, z, h, c });
    } catch (e) {
      const err = new HttpError(500, 'internal_error', `decoder run failed: ${(e as Error).message}`);
      for (const r of rows) r.job.reject(err);
      for (const r of rows) r.job.cancelled = true;
      return;
    }
    this.runs++;
    this.observer.batch('decoder', b);
    const keep: Row[] = [];
    rows.forEach((r, p) => {
      r.h = res.h.subarray(p * H, (p + 1) * H);
      r.c = res.c.subarray(p * H, (p + 1) * H);
      r.prev = res.next[p]!;
      const teacherForcing = r.t < r.prefix.length;
      r.t++;
      if (teacherForcing) return void keep.push(r);
      const eos = r.prev === EOS_ID;
      if (!eos) r.out.push(r.prev);
      if (eos || r.out.length >= r.maxNew) this.finish(r, eos);
      else keep.push(r);
    });
    this.active = keep;
  }

  private finish(r: Row, finished: boolean): void {
    const ids = new Int32Array(r.prefix.length + r.out.length);
    ids.set(r.prefix);
    ids.set(r.out, r.prefix.length);
    const words = this.model.vocab.decodeIds(ids);
    r.job.out[r.index] = { ids, words, text: words.join(' '), finished };
    if (--r.job.left === 0 && !r.job.cancelled) r.job.resolve(r.job.out);
  }
}
