import type { IsovaeModel } from '../runtime/index.ts';
import { HttpError } from './errors.ts';
import { deferred, JobQueue, NO_OBSERVER, type BatchLimits, type BatchObserver, type Job } from './queue.ts';

/** Posterior means (and log-variances unless the model is an AE) of one request, `[n * K]`. */
export interface Encoded {
  mean: Float32Array;
  logvar: Float32Array | null;
}

type EncodeJob = Job<Encoded> & { rows: Int32Array[] };

/**
 * Dynamic batching of encoder runs for one model. Concurrent requests are queued; one run takes
 * whole requests in arrival order up to `maxBatch` sentences (a single larger request runs alone,
 * in chunks of `maxBatch`). A batch runs once it is full or its oldest request has waited
 * `maxDelayMs` (see `schedule`); one run at a time, so requests arriving during a run form the
 * next batch. Results are the same as `model.encode` on each request alone (rows are
 * independent; padding never changes a row).
 */
export class EncodeBatcher {
  /** Encoder batches run so far (each is one `model.encode` call). */
  runs = 0;
  private readonly queue: JobQueue<EncodeJob>;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private idle: Array<() => void> = [];

  constructor(private readonly model: IsovaeModel, private readonly limits: BatchLimits, private readonly observer: BatchObserver = NO_OBSERVER) {
    this.queue = new JobQueue('encoder', limits, observer);
  }

  /** Jobs waiting (not yet running). */
  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Queue id rows (word ids then `<eos>`, see `model.toIds`) and resolve with their posteriors.
   * Throws HttpError 429 when the queue is full. `cancel()` on the returned handle drops the job
   * if it has not run yet (request timeout).
   */
  submit(rows: Int32Array[]): { promise: Promise<Encoded>; cancel: () => void } {
    const { job, promise } = deferred<Encoded, { rows: Int32Array[] }>({ rows });
    this.queue.push(job);
    this.schedule();
    return { promise, cancel: () => { job.cancelled = true; } };
  }

  /** Resolves once nothing is queued or running. */
  drained(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((res) => this.idle.push(res));
  }

  /**
   * Triton's rule: run when the queued sentences fill a batch, or when the oldest queued request
   * has waited `maxDelayMs`; else wake up when it will have. Right after a run, requests that
   * arrived during it have usually waited long enough, so a busy batcher adds little latency while
   * the clients of the previous batch get their next requests in.
   */
  private schedule(): void {
    if (this.running || this.timer) return;
    const first = this.queue.peek();
    if (!first) {
      for (const f of this.idle.splice(0)) f();
      return;
    }
    const wait = this.limits.maxDelayMs - (performance.now() - first.enqueuedAt);
    if (wait <= 0 || this.queue.sum((j) => j.rows.length) >= this.limits.maxBatch) {
      void this.runBatch();
    } else {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.runBatch();
      }, wait);
    }
  }

  private async runBatch(): Promise<void> {
    const jobs: EncodeJob[] = [];
    let total = 0;
    for (let next = this.queue.peek(); next && (jobs.length === 0 || total + next.rows.length <= this.limits.maxBatch); next = this.queue.peek()) {
      jobs.push(this.queue.shift()!);
      total += next.rows.length;
    }
    if (jobs.length === 0) return this.schedule();
    this.running = true;
    try {
      const res = await this.model.encode(jobs.flatMap((j) => j.rows), { batchSize: this.limits.maxBatch });
      this.runs++;
      this.observer.batch('encoder', total);
      const k = res.k;
      let at = 0;
      for (const j of jobs) {
        const n = j.rows.length;
        j.resolve({ mean: res.mean.slice(at * k, (at + n) * k), logvar: res.logvar ? res.logvar.slice(at * k, (at + n) * k) : null });
        at += n;
      }
    } catch (e) {
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal_error', `encoder run failed: ${(e as Error).message}`);
      for (const j of jobs) j.reject(err);
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
