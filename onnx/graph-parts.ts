import type { ModelConfig } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import type { HostTensor, WeightName, Weights } from '../core/weights.ts';
import { attr, makeTensor } from './builder.ts';
import { DataType } from './onnx-proto.ts';
import type { GraphBuilder } from './graph-builder.ts';

/** A weight that must be present (the caller ran `checkWeights` first; this guards direct use). */
export function need(w: Weights, name: WeightName): HostTensor {
  const t = w[name];
  if (!t) throw new IsovaeError('E_CHECKPOINT', `export: weight "${name}" is missing; re-train or fix the checkpoint.`);
  return t;
}

/** Add a weight as a float32 initializer under its own name (e.g. `encoder/kernel`). */
export function weightInit(g: GraphBuilder, w: Weights, name: WeightName): string {
  const t = need(w, name);
  return g.init(name, 'float32', t.shape, t.data);
}

/**
 * One Keras LSTM cell step from the gate pre-activations (protocol §2.1, tfjs with
 * recurrentActivation 'sigmoid'): gates [B, 4H] in blocks i, f, g, o;
 * c' = sigmoid(f)*c + sigmoid(i)*tanh(g), h' = sigmoid(o)*tanh(c'). Returns [h', c'] names.
 */
export function kerasCell(g: GraphBuilder, gates: string, c: string, names: { h?: string; c?: string } = {}): { h: string; c: string } {
  const [gi, gf, gg, go] = g.op('Split', [gates], { axis: attr.int(1) }, 4) as [string, string, string, string];
  const i = g.op1('Sigmoid', [gi]);
  const f = g.op1('Sigmoid', [gf]);
  const cand = g.op1('Tanh', [gg]);
  const o = g.op1('Sigmoid', [go]);
  const cNew = g.op1('Add', [g.op1('Mul', [f, c]), g.op1('Mul', [i, cand])], {}, names.c);
  const hNew = g.op1('Mul', [o, g.op1('Tanh', [cNew])], {}, names.h);
  return { h: hNew, c: cNew };
}

/**
 * A float32 zeros tensor [B, H] whose batch size B is dimension 0 of `ref` (any tensor with the
 * batch first), so initial LSTM states follow the dynamic batch.
 */
export function batchZeros(g: GraphBuilder, ref: string, H: number): string {
  const batch = g.op1('Shape', [ref], { end: attr.int(1), start: attr.int(0) }); // [1] int64
  const hDim = g.init('const/hidden_dim', 'int64', [1], [H]);
  const shape = g.op1('Concat', [batch, hDim], { axis: attr.int(0) }); // [2]
  return g.op1('ConstantOfShape', [shape], { value: attr.tensor(makeTensor('zero', 'float32', [1], [0])) });
}

/**
 * Posterior heads on the sentence summary h [B, H]: mean = h@Wm + bm [B, K]; diag logvar = h@Wl + bl;
 * iso logvar = (h@Wl + bl) [B, 1] broadcast (Expand) to [B, K]; ae: no logvar.
 */
export function posteriorHeads(g: GraphBuilder, cfg: ModelConfig, w: Weights, h: string): void {
  const meanW = weightInit(g, w, 'mean/kernel');
  const meanB = weightInit(g, w, 'mean/bias');
  const mean = g.op1('Add', [g.op1('MatMul', [h, meanW]), meanB], {}, 'mean');
  if (cfg.posterior === 'ae') return;
  const lvW = weightInit(g, w, 'logvar/kernel');
  const lvB = weightInit(g, w, 'logvar/bias');
  if (cfg.posterior === 'diag') {
    g.op1('Add', [g.op1('MatMul', [h, lvW]), lvB], {}, 'logvar');
    return;
  }
  const lv1 = g.op1('Add', [g.op1('MatMul', [h, lvW]), lvB]); // [B, 1]
  g.op1('Expand', [lv1, g.op1('Shape', [mean])], {}, 'logvar'); // [B, K]
}

/** `Cast` target type attribute values. */
export const CAST_TO = { float32: attr.int(DataType.FLOAT), int32: attr.int(DataType.INT32), int64: attr.int(DataType.INT64) } as const;

/**
 * Index of the first maximum along axis 1 of x [B, N] as int32 [B] without any int64 tensor
 * (ONNX ArgMax returns int64, which the WebGPU EP cannot cast, so ArgMax + Cast would put a node on
 * the CPU and rule out WebGPU graph capture). With m = max_j x[b, j]:
 * first = N - max_j ([x[b, j] == m] * (N - j)); exact in float32 for N < 2^24. Clipped to N-1 so a
 * row of NaNs still yields a valid id.
 */
export function firstArgMaxInt32(g: GraphBuilder, x: string, N: number, output: string): string {
  if (N >= 2 ** 24) throw new RangeError(`firstArgMaxInt32: ${N} classes exceed exact float32 integers (2^24).`);
  const m = g.op1('ReduceMax', [x], { axes: attr.ints([1]), keepdims: attr.int(1) }); // [B, 1]
  const rev = g.init('const/argmax_rev_index', 'float32', [N], Array.from({ length: N }, (_, j) => N - j)); // [N]: N..1
  const zero = g.init('const/argmax_zero', 'float32', [], [0]);
  const score = g.op1('Where', [g.op1('Equal', [x, m]), rev, zero]); // [B, N]: N-j at maxima, else 0
  const best = g.op1('ReduceMax', [score], { axes: attr.ints([1]), keepdims: attr.int(0) }); // [B] = N - first
  const nF = g.init('const/argmax_n', 'float32', [], [N]);
  const nMinus1 = g.init('const/argmax_last', 'float32', [], [N - 1]);
  const idx = g.op1('Min', [g.op1('Sub', [nF, best]), nMinus1]); // [B] float
  return g.op1('Cast', [idx], { to: CAST_TO.int32 }, output);
}
