import { Rng } from '../core/rng.ts';
import { EOS_ID, NUM_SPECIAL } from '../core/special.ts';

/** Uniform [0, 1) stream from the project's seeded RNG (deterministic validation inputs). */
export function seededRandom(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.next();
}

/**
 * Seeded encoder input [batch, len] int32: each row has word ids in [3, V-1], one EOS, then PAD=0.
 * Row 0 uses the full width (its EOS is the last column); other rows have lengths in [1, len].
 * Length 1 means the row is just EOS.
 */
export function gridTokens(vocabSize: number, batch: number, len: number, seed: number): Int32Array {
  const r = seededRandom(seed);
  const words = vocabSize - NUM_SPECIAL;
  const out = new Int32Array(batch * len);
  for (let b = 0; b < batch; b++) {
    const rowLen = b === 0 ? len : 1 + Math.floor(r() * len);
    for (let t = 0; t < rowLen - 1; t++) out[b * len + t] = words > 0 ? NUM_SPECIAL + Math.floor(r() * words) : EOS_ID;
    out[b * len + rowLen - 1] = EOS_ID;
  }
  return out;
}

/** `n` seeded floats uniform in [-scale, scale]. */
export function uniformFloats(n: number, seed: number, scale: number): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (2 * r() - 1) * scale);
}

/** `n` seeded standard-normal floats (Box-Muller), e.g. latent codes from the prior N(0, I). */
export function normalFloats(n: number, seed: number): Float32Array {
  const r = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12);
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

/** Seeded token ids in [0, V-1] for a decoder step (row 0 is BOS=1, the usual first input). */
export function stepTokens(vocabSize: number, batch: number, seed: number): Int32Array {
  const r = seededRandom(seed);
  const out = Int32Array.from({ length: batch }, () => Math.floor(r() * vocabSize));
  if (batch > 0) out[0] = 1;
  return out;
}
