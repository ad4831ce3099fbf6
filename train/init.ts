import type { ModelConfig } from '../core/config.ts';
import { weightShapes, type HostTensor, type WeightName, type Weights } from '../core/weights.ts';

/** A seeded uniform/normal source (core/rng.ts provides one). */
export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
  /** Standard normal. */
  normal(): number;
}

/** Keras' lecun_normal: truncated normal (re-drawn beyond ±2σ), σ = sqrt(1/fan_in) / 0.8796… (protocol §2.1). */
function lecunNormal(rng: RandomSource, fanIn: number, n: number): Float32Array {
  const sigma = Math.sqrt(1 / fanIn) / 0.87962566103423978;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let x = rng.normal();
    while (Math.abs(x) > 2) x = rng.normal();
    out[i] = x * sigma;
  }
  return out;
}

/** U(-limit, limit). */
function uniform(rng: RandomSource, limit: number, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * rng.next() - 1) * limit;
  return out;
}

/** LSTM bias [4H]: zeros, except the forget-gate block (second of i, f, g, o) which is 1 (unit_forget_bias). */
function lstmBias(hidden: number): Float32Array {
  const b = new Float32Array(4 * hidden);
  b.fill(1, hidden, 2 * hidden);
  return b;
}

/**
 * Keras-equivalent initial weights (protocol §2.1): embedding U(±0.05); LSTM kernels and recurrent kernels
 * lecun_normal (truncated); LSTM bias 0 with forget bias 1; Dense kernels glorot_uniform, biases 0.
 * Weights are drawn in the canonical order of `weightShapes`, so a seed fixes them exactly.
 */
export function initWeights(cfg: ModelConfig, rng: RandomSource): Weights {
  const w: Weights = {};
  for (const [name, shape] of weightShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    w[name] = { shape, data: initOne(name, shape, n, cfg, rng) } satisfies HostTensor;
  }
  return w;
}

function initOne(name: WeightName, shape: number[], n: number, cfg: ModelConfig, rng: RandomSource): Float32Array {
  switch (name) {
    case 'embedding':
      return uniform(rng, 0.05, n);
    case 'encoder/kernel':
    case 'encoder/recurrent_kernel':
    case 'decoder/kernel':
    case 'decoder/recurrent_kernel':
      return lecunNormal(rng, shape[0]!, n);
    case 'encoder/bias':
    case 'decoder/bias':
      return lstmBias(cfg.hiddenDim);
    case 'mean/kernel':
    case 'logvar/kernel':
    case 'output/kernel':
      return uniform(rng, Math.sqrt(6 / (shape[0]! + shape[1]!)), n);
    case 'mean/bias':
    case 'logvar/bias':
    case 'output/bias':
      return new Float32Array(n);
  }
}
