import { HttpError } from './errors.ts';

/** What a batcher reports (the server's Prometheus metrics implement it). */
export interface BatchObserver {
  /** A batch of `size` rows (sentences, or decode rows at one step) ran through `graph`. */
  batch(graph: 'encoder' | 'decoder', size: number): void;
  /** A job waited `seconds` in the queue before its first row ran. */
  queued(graph: 'encoder' | 'decoder', seconds: number): void;
  /** The number of jobs now waiting in the queue. */
  depth(graph: 'encoder' | 'decoder', jobs: number): void;
}

/** An observer that records nothing. */
export const NO_OBSERVER: BatchObserver = { batch: () => {}, queued: () => {}, depth: () => {} };

/** Batch limits shared by the encode and decode batchers. */
export interface BatchLimits {
  /** Most rows per run. */
  maxBatch: number;
  /** How long an idle batcher waits for more jobs before its first run, in ms (0: run at once). */
  maxDelayMs: number;
  /** Most jobs waiting; one more is refused with 429. */
  maxQueue: number;
  /** Seconds sent in `Retry-After` with that 429. */
  retryAfterSeconds: number;
}

/** A queued unit of work: settles once; `cancel()` drops it if it has not finished. */
export interface Job<T> {
  readonly enqueuedAt: number;
  cancelled: boolean;
  resolve(value: T): void;
  reject(err: unknown): void;
}

/**
 * A bounded FIFO of jobs with the 429 rule: `push` throws HttpError(429, queue_full) with
 * `Retry-After` when `maxQueue` jobs are already waiting. Cancelled jobs are skipped by `shift`.
 */
export class JobQueue<J extends Job<unknown>> {
  private items: J[] = [];

  constructor(private readonly graph: 'encoder' | 'decoder', private readonly limits: BatchLimits, private readonly observer: BatchObserver) {}

  get length(): number {
    return this.items.length;
  }

  push(job: J): void {
    this.items = this.items.filter((j) => !j.cancelled);
    if (this.items.length >= this.limits.maxQueue) {
      throw new HttpError(429, 'queue_full',
        `the ${this.graph} queue is full (${this.limits.maxQueue} requests waiting); retry after ${this.limits.retryAfterSeconds} s or lower the request rate.`,
        null, { 'Retry-After': String(this.limits.retryAfterSeconds) });
    }
    this.items.push(job);
    this.observer.depth(this.graph, this.items.length);
  }

  /** The next live job (recording its queue time), or undefined. */
  shift(): J | undefined {
    let j = this.items.shift();
    while (j?.cancelled) j = this.items.shift();
    this.observer.depth(this.graph, this.items.length);
    if (j) this.observer.queued(this.graph, (performance.now() - j.enqueuedAt) / 1000);
    return j;
  }

  /** Sum of `f(job)` over the live jobs waiting. */
  sum(f: (job: J) => number): number {
    let n = 0;
    for (const j of this.items) if (!j.cancelled) n += f(j);
    return n;
  }

  /** The next live job without removing it. */
  peek(): J | undefined {
    while (this.items[0]?.cancelled) this.items.shift();
    return this.items[0];
  }
}

/** A promise with its settle functions and a cancel flag, as a Job. */
export function deferred<T, X extends object>(extra: X): { job: Job<T> & X; promise: Promise<T> } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const job = Object.assign(extra, { enqueuedAt: performance.now(), cancelled: false, resolve, reject });
  return { job, promise };
}
