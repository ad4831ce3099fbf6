/**
 * Independent float64 reference of the model maths (protocol §2.1-2.4), written from the paper's
 * Keras code semantics, not from the exporter: Keras LSTM cell with gate blocks i, f, g, o and
 * sigmoid recurrent activation; encoder masked on token != PAD (masked steps carry the state),
 * summary = sum_t h_t * [token_t == EOS]; heads; decoder step on concat(Emb[token], z).
 * Used to check the ONNX graphs on random weights before/independently of the tfjs model.
 */
import type { ModelConfig } from '../../core/config.ts';
import type { HostTensor, WeightName, Weights } from '../../core/weights.ts';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function get(w: Weights, n: WeightName): HostTensor {
  const t = w[n];
  if (!t) throw new Error(`reference: missing ${n}`);
  return t;
}

/** y[j] = b[j] + sum_i x[i] * M[rowOffset + i, j] for a row-major M with `cols` columns, in float64. */
function affine(x: ArrayLike<number>, m: Float32Array, cols: number, rowOffset: number, out: Float64Array): void {
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const base = (rowOffset + i) * cols;
    for (let j = 0; j < cols; j++) out[j]! += xi * m[base + j]!;
  }
}

/** One Keras LSTM step: x (input), h, c -> [h', c'] (float64). */
function lstmStep(x: ArrayLike<number>, h: Float64Array, c: Float64Array, kernel: HostTensor, rec: HostTensor, bias: HostTensor): [Float64Array<ArrayBuffer>, Float64Array<ArrayBuffer>] {
  const H = h.length;
  const z = Float64Array.from(bias.data);
  affine(x, kernel.data, 4 * H, 0, z);
  affine(h, rec.data, 4 * H, 0, z);
  const h2 = new Float64Array(H);
  const c2 = new Float64Array(H);
  for (let j = 0; j < H; j++) {
    const i = sigmoid(z[j]!);
    const f = sigmoid(z[H + j]!);
    const g = Math.tanh(z[2 * H + j]!);
    const o = sigmoid(z[3 * H + j]!);
    c2[j] = f * c[j]! + i * g;
    h2[j] = o * Math.tanh(c2[j]!);
  }
  return [h2, c2];
}

function embRow(w: Weights, token: number): Float32Array {
  const emb = get(w, 'embedding');
  const E = emb.shape[1]!;
  return emb.data.subarray(token * E, (token + 1) * E);
}

/** Encoder: rows of token ids (any padding) -> mean [B*K] and logvar [B*K] (null for AE), row-major. */
export function refEncode(cfg: ModelConfig, w: Weights, rows: number[][]): { mean: Float64Array; logvar: Float64Array | null } {
  const { hiddenDim: H, latentDim: K } = cfg;
  const mean = new Float64Array(rows.length * K);
  const logvar = cfg.posterior === 'ae' ? null : new Float64Array(rows.length * K);
  rows.forEach((row, b) => {
    let h: Float64Array<ArrayBuffer> = new Float64Array(H);
    let c: Float64Array<ArrayBuffer> = new Float64Array(H);
    const summary = new Float64Array(H);
    for (const tok of row) {
      if (tok !== 0) [h, c] = lstmStep(embRow(w, tok), h, c, get(w, 'encoder/kernel'), get(w, 'encoder/recurrent_kernel'), get(w, 'encoder/bias'));
      if (tok === 2) for (let j = 0; j < H; j++) summary[j]! += h[j]!;
    }
    const m = Float64Array.from(get(w, 'mean/bias').data);
    affine(summary, get(w, 'mean/kernel').data, K, 0, m);
    mean.set(m, b * K);
    if (logvar) {
      const lb = get(w, 'logvar/bias');
      const lv = Float64Array.from(lb.data);
      affine(summary, get(w, 'logvar/kernel').data, lb.data.length, 0, lv);
      for (let k = 0; k < K; k++) logvar[b * K + k] = cfg.posterior === 'iso' ? lv[0]! : lv[k]!;
    }
  });
  return { mean, logvar };
}

/** Decoder step for a batch: returns logits [B*V], argmax token [B], h [B*H], c [B*H] (float64). */
export function refDecoderStep(cfg: ModelConfig, w: Weights, token: number[], z: Float32Array, h: Float32Array, c: Float32Array) {
  const { hiddenDim: H, latentDim: K, vocabSize: V } = cfg;
  const B = token.length;
  const logits = new Float64Array(B * V);
  const hOut = new Float64Array(B * H);
  const cOut = new Float64Array(B * H);
  const next: number[] = [];
  for (let b = 0; b < B; b++) {
    const x = [...embRow(w, token[b]!), ...z.subarray(b * K, (b + 1) * K)];
    const [h2, c2] = lstmStep(x, Float64Array.from(h.subarray(b * H, (b + 1) * H)), Float64Array.from(c.subarray(b * H, (b + 1) * H)),
      get(w, 'decoder/kernel'), get(w, 'decoder/recurrent_kernel'), get(w, 'decoder/bias'));
    const l = Float64Array.from(get(w, 'output/bias').data);
    affine(h2, get(w, 'output/kernel').data, V, 0, l);
    logits.set(l, b * V);
    hOut.set(h2, b * H);
    cOut.set(c2, b * H);
    let best = 0;
    for (let v = 1; v < V; v++) if (l[v]! > l[best]!) best = v;
    next.push(best);
  }
  return { logits, next, h: hOut, c: cOut };
}

/** Greedy decode (protocol §2.4) in float64: BOS, zero state, `steps` steps, rows cut before EOS. */
export function refGreedy(cfg: ModelConfig, w: Weights, z: Float32Array, batch: number, steps: number): number[][] {
  const { hiddenDim: H } = cfg;
  let token = new Array<number>(batch).fill(1);
  let h = new Float32Array(batch * H);
  let c = new Float32Array(batch * H);
  const rows: number[][] = Array.from({ length: batch }, () => []);
  for (let t = 0; t < steps; t++) {
    const r = refDecoderStep(cfg, w, token, z, h, c);
    // The state is kept in float64 precision only within a step; rounding it to float32 between
    // steps mirrors what any float32 implementation feeds back.
    h = Float32Array.from(r.h);
    c = Float32Array.from(r.c);
    token = r.next;
    token.forEach((id, b) => rows[b]!.push(id));
  }
  return rows.map((r) => (r.includes(2) ? r.slice(0, r.indexOf(2)) : r));
}
