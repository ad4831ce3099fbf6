/** An injected onnxruntime that counts sessions, runs and releases (tests the injection seam too). */
import * as ortNode from 'onnxruntime-node';
import type { Ort, OrtSession } from '../../runtime/types.ts';

export interface Counts {
  created: number;
  released: number;
  /** Runs per session, keyed by the declared output names (joined). */
  runs: Map<string, number>;
  /** Batch size (dim 0 of the `token` feed) of every decoder_step run, in order. */
  decoderBatches: number[];
}

/** Wrap onnxruntime-node so every session reports to `counts`. */
export function countingOrt(): { ort: Ort; counts: Counts } {
  const counts: Counts = { created: 0, released: 0, runs: new Map(), decoderBatches: [] };
  const create = async (...args: unknown[]): Promise<OrtSession> => {
    const s = await (ortNode.InferenceSession.create as (...a: unknown[]) => Promise<OrtSession>)(...args);
    counts.created++;
    const key = s.outputNames.join(',');
    const proxy = Object.create(s) as OrtSession;
    Object.assign(proxy, {
      run: (...a: unknown[]) => {
        counts.runs.set(key, (counts.runs.get(key) ?? 0) + 1);
        const token = (a[0] as Record<string, { dims: readonly number[] }>).token;
        if (token) counts.decoderBatches.push(token.dims[0]!);
        return (s.run as (...x: unknown[]) => unknown).apply(s, a);
      },
      release: async () => {
        counts.released++;
        await s.release();
      },
    });
    return proxy;
  };
  const ort = { InferenceSession: { create } as unknown as Ort['InferenceSession'], Tensor: ortNode.Tensor };
  return { ort, counts };
}

/** Number of decoder_step runs recorded. */
export function decoderRuns(counts: Counts): number {
  let n = 0;
  for (const [k, v] of counts.runs) if (k.includes('next_token')) n += v;
  return n;
}
