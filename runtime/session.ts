import type { IoSpec } from './manifest.ts';
import type { OrtSession, OrtTensor } from './types.ts';

/**
 * One onnxruntime session with its declared IO. `run` checks every feed against the manifest's
 * input specs before calling onnxruntime (so a wrong feed is a clear `RangeError`, not a native
 * error), and serialises runs: onnxruntime-web forbids overlapping `run` calls on one session.
 */
export class GraphSession {
  private queue: Promise<unknown> = Promise.resolve();
  private released = false;
  /** Values of static dims and of named dims fixed by the model (e.g. K, H). */
  private readonly fixed: Record<string, number>;

  constructor(
    readonly label: string,
    private readonly session: OrtSession,
    readonly inputs: readonly IoSpec[],
    readonly outputs: readonly IoSpec[],
    fixedDims: Record<string, number> = {},
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
    const next = this.queue.then(() => this.session.run(feeds, fetches as string[]));
    // Keep the queue alive after a failed run; the caller still sees the rejection through `next`.
    this.queue = next.catch(() => undefined);
    return next as Promise<Record<string, OrtTensor>>;
  }

  /** Release the native session once pending runs finished. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    const pending = this.queue;
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
