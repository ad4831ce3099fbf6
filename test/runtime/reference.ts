/**
 * Independent float64 reference of the model math (paper protocol §2.2-2.4, Keras LSTM with gate
 * blocks i, f, g, o, sigmoid recurrent activation), written directly from core/weights.ts layouts
 * with plain loops. Used to check the exported graphs as run by runtime/.
 */
import type { ModelConfig } from '../../core/config.ts';
import type { Weights, WeightName } from '../../core/weights.ts';

const sig = (x: number): number => 1 / (1 + Math.exp(-x));

function W(w: Weights, name: WeightName): Float32Array {
  const t = w[name];
  if (!t) throw new Error(`reference: weight ${name} missing`);
  return t.data;
}

/**
 * One Keras LSTM step in float64: gates = x@kernel + h@recurrent + bias ([4H], blocks i, f, g, o);
 * c' = s(f)c + s(i)tanh(g); h' = s(o)tanh(c'). Returns new [h, c].
 */
export function lstmStep(x: ArrayLike<number>, h: ArrayLike<number>, c: ArrayLike<number>, kernel: Float32Array, recurrent: Float32Array, bias: Float32Array, H: number): [Float64Array, Float64Array] {
  const g4 = new Float64Array(4 * H);
  for (let j = 0; j < 4 * H; j++) {
    let s = bias[j]!;
    for (let i = 0; i < x.length; i++) s += x[i]! * kernel[i * 4 * H + j]!;
    for (let i = 0; i < H; i++) s += h[i]! * recurrent[i * 4 * H + j]!;
    g4[j] = s;
  }
  const h2 = new Float64Array(H);
  const c2 = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    c2[j] = sig(g4[H + j]!) * c[j]! + sig(g4[j]!) * Math.tanh(g4[2 * H + j]!);
    h2[j] = sig(g4[3 * H + j]!) * Math.tanh(c2[j]!);
  }
  return [h2, c2];
}

/** Dense layer in float64: out[j] = b[j] + sum_i x[i] W[i, j] for W [in, out]. */
function dense(x: ArrayLike<number>, k: Float32Array, b: Float32Array, out: number): Float64Array {
  const y = new Float64Array(out);
  for (let j = 0; j < out; j++) {
    let s = b[j]!;
    for (let i = 0; i < x.length; i++) s += x[i]! * k[i * out + j]!;
    y[j] = s;
  }
  return y;
}

/** Encoder on one row (word ids then EOS): mean [K] and logvar [K] (null for AE), from h at EOS. */
export function refEncodeRow(cfg: ModelConfig, w: Weights, row: ArrayLike<number>): { mean: Float64Array; logvar: Float64Array | null } {
  const { embeddingDim: E, hiddenDim: H, latentDim: K } = cfg;
  let h: Float64Array = new Float64Array(H);
  let c: Float64Array = new Float64Array(H);
  let summary: Float64Array = new Float64Array(H); // zero if the row has no EOS (paper code)
  const emb = W(w, 'embedding');
  for (let t = 0; t < row.length; t++) {
    const id = row[t]!;
    if (id === 0) continue; // masked step: state carried
    [h, c] = lstmStep(emb.subarray(id * E, (id + 1) * E), h, c, W(w, 'encoder/kernel'), W(w, 'encoder/recurrent_kernel'), W(w, 'encoder/bias'), H);
    if (id === 2) summary = h;
  }
  const mean = dense(summary, W(w, 'mean/kernel'), W(w, 'mean/bias'), K);
  if (cfg.posterior === 'ae') return { mean, logvar: null };
  if (cfg.posterior === 'diag') return { mean, logvar: dense(summary, W(w, 'logvar/kernel'), W(w, 'logvar/bias'), K) };
  const s = dense(summary, W(w, 'logvar/kernel'), W(w, 'logvar/bias'), 1)[0]!;
  return { mean, logvar: new Float64Array(K).fill(s) };
}

/**
 * Greedy decode one row in float64 (protocol §2.4/§4.8): feed BOS, then the prefix (teacher forced),
 * then the argmax (first max); at most `maxNew` generated tokens; stops at EOS (excluded).
 * Returns prefix + generated ids, whether EOS was emitted, and the steps run.
 */
export function refGreedy(cfg: ModelConfig, w: Weights, z: ArrayLike<number>, maxNew: number, prefix: readonly number[] = []): { ids: number[]; finished: boolean; steps: number } {
  const { embeddingDim: E, hiddenDim: H, vocabSize: V } = cfg;
  const emb = W(w, 'embedding');
  let h: Float64Array = new Float64Array(H);
  let c: Float64Array = new Float64Array(H);
  const ids = [...prefix];
  let token = 1;
  let steps = 0;
  for (let t = 0; ; t++) {
    const x = [...emb.subarray(token * E, (token + 1) * E), ...Array.from(z)];
    [h, c] = lstmStep(x, h, c, W(w, 'decoder/kernel'), W(w, 'decoder/recurrent_kernel'), W(w, 'decoder/bias'), H);
    steps++;
    const logits = dense(h, W(w, 'output/kernel'), W(w, 'output/bias'), V);
    let best = 0;
    for (let v = 1; v < V; v++) if (logits[v]! > logits[best]!) best = v;
    if (t < prefix.length) {
      token = prefix[t]!;
      continue;
    }
    if (best === 2) return { ids, finished: true, steps };
    ids.push(best);
    if (ids.length - prefix.length >= maxNew) return { ids, finished: false, steps };
    token = best;
  }
}
