import type { IoSpec } from '../core/model-dir.ts';
import type { OrtSession, OrtTensor } from './types.ts';

/** A chain of session runs that must not overlap. */
export interface RunQueue {
  tail: Promise<unknown>;
}

const sharedQueues = new WeakMap<object, RunQueue>();

/**
 * The run queue shared by every session created from one onnxruntime module. onnxruntime-web (WebGPU build)
 * corrupts its memory when runs of two different sessions overlap ("memory access out of bounds" with two models
 * on one page), so on the web all sessions of a module take turns; onnxruntime-node sessions run concurrently.
 */
export function sharedRunQueue(ortModule: object): RunQueue {
  let q = sharedQueues.get(ortModule);
  if (!q) sharedQueues.set(ortModule, (q = { tail: Promise.resolve() }));
  return q;
}

/**
 * One onnxruntime session with its declared IO. `run` checks every feed against the manifest's
 * input specs before calling onnxruntime (so a wrong feed is a clear `RangeError`, not a native
 * error), and serialises runs: onnxruntime-web forbids overlapping `run` calls on one session.
 */
export class GraphSession {
  private released = false;
  /** The runs of this session so far (release waits for them). */
  private own: Promise<unknown> = Promise.resolve();
  /** Values of static dims and of named dims fixed by the model (e.g. K, H). */
  private readonly fixed: Record<string, number>;

  constructor(
    readonly label: string,
    private readonly session: OrtSession,
    readonly inputs: readonly IoSpec[],
    readonly outputs: readonly IoSpec[],
    fixedDims: Record<string, number> = {},
    /** Queue to serialise runs on: per session by default; `sharedRunQueue(ort)` on the web. */
    private readonly queue: RunQueue = { tail: Promise.resolve() },
  ) {
    this.fixed = fixedDims;
  }

  /** True after `release()`. */
  get isReleased(): boolean {
    return this.released;
  }

  /**
   * Run with `feeds` (every declared input) and return the outputs named in `fetches`.
   * Throws `RangeError` if a feed is missing, of the wrong type, or of an inconsistent shape.
   */
  run(feeds: Record<string, OrtTensor>, fetches: readonly string[]): Promise<Record<string, OrtTensor>> {
    if (this.released) return Promise.reject(new Error(`${this.label}: the model was disposed; load it again.`));
    this.checkFeeds(feeds);
    // Runs accepted before release() still execute: release() waits for the queue first.
    const next = this.queue.tail.then(() => this.session.run(feeds, fetches as string[]));
    // Keep the queue alive after a failed run; the caller still sees the rejection through `next`.
    this.queue.tail = next.catch(() => undefined);
    this.own = this.queue.tail;
    return next as Promise<Record<string, OrtTensor>>;
  }

  /** Release the native session once pending runs finished. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    const pending = this.own;
    this.released = true;
    await pending;
    await this.session.release();
  }

  private checkFeeds(feeds: Record<string, OrtTensor>): void {
    const named: Record<string, number> = { ...this.fixed };
    for (const spec of this.inputs) {
      const t = feeds[spec.name];
      if (!t) throw new RangeError(`${this.label}: feed "${spec.name}" is missing (inputs: ${this.inputs.map((i) => i.name).join(', ')}).`);
      if (t.type !== spec.dtype) throw new RangeError(`${this.label}: feed "${spec.name}" has dtype ${t.type}, expected ${spec.dtype}.`);
      if (t.dims.length !== spec.shape.length) {
        throw new RangeError(`${this.label}: feed "${spec.name}" has shape [${t.dims}], expected rank ${spec.shape.length} [${spec.shape}].`);
      }
      spec.shape.forEach((d, i) => {
        const got = t.dims[i]!;
        const want = typeof d === 'number' ? d : named[d];
        if (want === undefined) {
          if (got < 1) throw new RangeError(`${this.label}: feed "${spec.name}" dim ${i} ("${d}") is ${got}; it must be >= 1.`);
          named[d as string] = got;
        } else if (got !== want) {
          throw new RangeError(`${this.label}: feed "${spec.name}" has shape [${t.dims}] but dim ${i} ("${d}") must be ${want}.`);
        }
      });
    }
    for (const name of Object.keys(feeds)) {
      if (!this.inputs.some((s) => s.name === name)) throw new RangeError(`${this.label}: unexpected feed "${name}".`);
    }
  }
}
