import type { ModelConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { weightShapes, type Weights } from '../core/weights.ts';

/**
 * Seeded random weights for speed benchmarks: U(±sqrt(3/fan_in)) matrices, U(±0.05) vectors. The EOS logit bias
 * is −1e4 so that greedy decoding never stops early and every benchmark row decodes the full length.
 */
export function randomWeights(cfg: ModelConfig, seed: number): Weights {
  const r = new Rng(seed);
  const w: Weights = {};
  for (const [name, shape] of weightShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const scale = shape.length === 2 ? Math.sqrt(3 / shape[0]!) : 0.05;
    w[name] = { shape, data: Float32Array.from({ length: n }, () => (2 * r.next() - 1) * scale) };
  }
  w['output/bias']!.data[2] = -1e4;
  return w;
}
