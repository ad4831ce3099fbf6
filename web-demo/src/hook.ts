/**
 * `window.isovaeDemo`: a small, stable surface for the end-to-end tests (test/browser/) and the
 * browser benchmark (bench/browser.ts). Values cross the page boundary as plain arrays.
 */
import { cacheStats } from './cache.ts';
import type { IndexEntry } from './formats.ts';
import type { DemoModel } from './models.ts';

/** One pane of the page: the index entry and its model or load error. */
export interface PaneState {
  entry: IndexEntry;
  model: DemoModel | null;
  error: string | null;
}

/** What the page knows; `ready` turns true after the first results are on screen. */
export interface DemoState {
  ready: boolean;
  error: string | null;
  /** The provider the sessions run on (`wasm` | `webgpu`). */
  provider: string;
  threads: number;
  models: Map<string, DemoModel>;
  panes: PaneState[];
  startedAt: number;
}

/** The hook's API (page side). */
export interface DemoHook {
  state(): {
    ready: boolean;
    error: string | null;
    provider: string;
    threads: number;
    isolated: boolean;
    /** Cache API use since the page loaded (ORT binary and model files). */
    cache: { hits: number; misses: number };
    models: { dir: string; provider: string; dtype: string; loadMs: number; readyAt: number }[];
  };
  /** Posterior means (and log-variances) of `texts` under model `dir`, row-major `[n * K]`. */
  encode(dir: string, texts: string[]): Promise<{ mean: number[]; logvar: number[] | null; k: number }>;
  /** Greedy decoding of `z` (`[n * K]`): token ids per row, EOS excluded. */
  decode(dir: string, z: number[]): Promise<number[][]>;
  /** Encode + decode `texts`: token ids per row. */
  reconstruct(dir: string, texts: string[]): Promise<number[][]>;
  /**
   * Timed runs for the benchmark: `reps` encodes of `texts` in one batch and `reps` greedy decodes
   * of prior samples (batch 1, at most `maxLen` tokens, default the model's).
   */
  bench(dir: string, texts: string[], reps: number, maxLen?: number): Promise<{ encodeMs: number[]; decodeMs: number[]; decodeTokens: number[] }>;
}

declare global {
  interface Window {
    isovaeDemo?: DemoHook;
  }
}

/** Install `window.isovaeDemo` over `state`. */
export function installHook(state: DemoState): void {
  const get = (dir: string) => {
    const m = state.models.get(dir);
    if (!m) throw new Error(`model "${dir}" is not loaded (loaded: ${[...state.models.keys()].join(', ') || 'none'})`);
    return m.model;
  };
  window.isovaeDemo = {
    state: () => ({
      ready: state.ready,
      error: state.error,
      provider: state.provider,
      threads: state.threads,
      isolated: globalThis.crossOriginIsolated === true,
      cache: { hits: cacheStats.hits, misses: cacheStats.misses },
      models: [...state.models.values()].map((m) => ({ dir: m.entry.dir, provider: m.model.provider, dtype: m.dtype, loadMs: m.loadMs, readyAt: m.readyAt })),
    }),
    encode: async (dir, texts) => {
      const r = await get(dir).encode(texts);
      return { mean: Array.from(r.mean), logvar: r.logvar ? Array.from(r.logvar) : null, k: r.k };
    },
    decode: async (dir, z) => (await get(dir).decode(Float32Array.from(z))).map((d) => Array.from(d.ids)),
    reconstruct: async (dir, texts) => (await get(dir).reconstruct(texts)).map((d) => Array.from(d.ids)),
    bench: async (dir, texts, reps, maxLen) => {
      const model = get(dir);
      const encodeMs: number[] = [];
      const decodeMs: number[] = [];
      const decodeTokens: number[] = [];
      for (let i = 0; i < reps; i++) {
        const t0 = performance.now();
        await model.encode(texts);
        encodeMs.push(performance.now() - t0);
        const z = model.sample(1, { seed: 100 + i });
        const t1 = performance.now();
        const [d] = await model.decode(z, maxLen ? { maxLen } : {});
        decodeMs.push(performance.now() - t1);
        decodeTokens.push(d!.ids.length + (d!.finished ? 1 : 0));
      }
      return { encodeMs, decodeMs, decodeTokens };
    },
  };
}
