import type { ModelConfig } from '../../core/config.ts';
import { weightShapes, type WeightName } from '../../core/weights.ts';
import { attr, encodeModel, makeModel, makeTensor, makeValueInfo, type ElemType } from '../../onnx/builder.ts';
import { GraphBuilder } from '../../onnx/graph-builder.ts';
import { CAST_TO } from '../../onnx/graph-parts.ts';
import type { GraphMsg, ValueInfoMsg } from '../../onnx/onnx-proto.ts';

/**
 * The training step of the paper's LSTM VAE (protocol §2-§3) as one ONNX graph for onnxruntime: the forward
 * pass, the per-example objective terms and (with `backward`) the hand-written backward pass of train/step.ts,
 * op for op, so that the gradients equal the tfjs engine's. Parameters are graph inputs (Keras layout, the
 * names of core/weights.ts), so one session serves every step; the optimiser runs on the host.
 *
 * Inputs (T = longest row incl. EOS, B = rows, N = target tokens; everything time-major, row t*B+b):
 *   <weight>      float32, each parameter by name
 *   x             int32 [T, B]     encoder ids, post-padded with PAD
 *   y             int32 [T, B]     decoder input: BOS then x shifted right
 *   eos_mask      float32 [T, B, 1] 1 at each row's EOS position
 *   valid_rows    int32 [N]        flat time-major positions that have a target
 *   targets       int32 [N]        the target id of each of them
 *   eps           float32 [B, K]   reparameterisation noise (zeros = use the mean); not for the AE
 *   with backward:
 *   spread_index  int32 [T*B]      for each position its row in valid_rows, N where it has none
 *   c_t, beta, inv_batch  float32 scalars: the current target KL, β, 1/(whole batch size)
 * Outputs:
 *   nll  [N] −log p(target) per target (nats, p floored at 1e-38 as the tfjs engine does)
 *   kl   [B] analytic KL per example (nats); not for the AE
 *   mean [B, K] posterior means (forward-only graph)
 *   grad/<weight> with backward: d loss / d weight, loss = inv_batch · Σ_b [β|KL_b − c_t| + rec_b]
 *
 * Padding is exact as in the tfjs engine: the LSTMs run unmasked over post-padded rows; only valid positions get
 * a gradient, and gradients flow backwards in time only.
 */
export interface StepGraphOptions {
  /** Emit the backward pass and the grad/* outputs (default true); false gives the evaluation graph. */
  backward?: boolean;
  /** Receives the phase of each top-level node: nodes n with from <= n < to belong to `phase` (for profiles). */
  phases?: Array<{ phase: StepPhase; from: number; to: number }>;
}

/** Parts of a step, as reported by `npm run bench:train -- --profile`. */
export type StepPhase = 'encoder' | 'latent' | 'decoder' | 'output layer' | 'decoder backward' | 'latent backward' | 'encoder backward' | 'embedding backward';

/** Graph output name of a weight's gradient. */
export const gradName = (w: WeightName): string => `grad/${w}`;

/** Serialised ONNX model (IR 8, opset 17) of the step graph. */
export function buildStepModel(cfg: ModelConfig, opts: StepGraphOptions = {}): Uint8Array {
  return encodeModel(makeModel(buildStepGraph(cfg, opts), { producerVersion: 'isovae-train' }));
}

/** The step graph (see the module comment for its inputs and outputs). */
export function buildStepGraph(cfg: ModelConfig, opts: StepGraphOptions = {}): GraphMsg {
  const backward = opts.backward ?? true;
  const { embeddingDim: E, hiddenDim: H, latentDim: K, vocabSize: V, posterior } = cfg;
  const vae = posterior !== 'ae';
  const g = new GraphBuilder(backward ? 'train_step' : 'eval_step');
  const i64 = (name: string, v: number[]) => g.init(`const/${name}`, 'int64', [v.length], v);
  const f32 = (name: string, v: number) => g.init(`const/${name}`, 'float32', [], [v]);
  let phaseStart = 0;
  const endPhase = (phase: StepPhase) => {
    opts.phases?.push({ phase, from: phaseStart, to: g.nodeCount });
    phaseStart = g.nodeCount;
  };
  const ax0 = i64('axis0', [0]);
  const ax1 = i64('axis1', [1]);
  const one = f32('one', 1);
  const half = f32('half', 0.5);

  // ---- shapes: [T*B, X] views of time-major [T, B, X] tensors -----------------------------------------------
  const shapeCache = new Map<number, string>();
  const toFlat = (t: string, cols: number) => {
    if (!shapeCache.has(cols)) shapeCache.set(cols, i64(`rows_by_${cols}`, [-1, cols]));
    return g.op1('Reshape', [t, shapeCache.get(cols)!]);
  };
  const tb = g.op1('Shape', ['x']); // [2] int64: T, B
  const bDim = g.op1('Shape', ['x'], { start: attr.int(1), end: attr.int(2) }); // [1]: B
  const shapeOf = (cols: number) => g.op1('Concat', [tb, i64(`dim_${cols}`, [cols])], { axis: attr.int(0) }); // [T, B, cols]
  // [0, s_0, ..., s_{T-2}] along axis 0 of a [T, B, X] tensor: pad one zero step in front, drop the last.
  const shiftPads = i64('shift_pads', [1, 0, 0, 0, 0, 0]);
  const minus1 = i64('minus1', [-1]);
  const zero1 = i64('zero1', [0]);
  const shiftTime = (t: string) => g.op1('Slice', [g.op1('Pad', [t, shiftPads]), zero1, minus1, ax0]);
  const zerosBH = g.op1('ConstantOfShape', [g.op1('Concat', [bDim, i64('dim_h', [H])], { axis: attr.int(0) })], { value: attr.tensor(makeTensor('zero', 'float32', [1], [0])) });

  // ---- encoder ------------------------------------------------------------------------------------------------
  const xe = g.op1('Gather', ['embedding', 'x'], { axis: attr.int(0) }); // [T, B, E]
  const xp = g.op1('Add', [g.op1('MatMul', [xe, 'encoder/kernel']), 'encoder/bias']); // [T, B, 4H]
  const enc = lstmScan(g, 'encoder', xp, zerosBH, 'encoder/recurrent_kernel', H);
  const rep = g.op1('ReduceSum', [g.op1('Mul', [enc.hs, 'eos_mask']), ax0], { keepdims: attr.int(0) }); // [B, H]: h at EOS
  endPhase('encoder');
  const mean = g.op1('Add', [g.op1('MatMul', [rep, 'mean/kernel']), 'mean/bias'], {}, backward ? undefined : 'mean'); // [B, K]
  let z = mean;
  let logvar = '';
  let std = '';
  let kl = '';
  if (vae) {
    logvar = g.op1('Add', [g.op1('MatMul', [rep, 'logvar/kernel']), 'logvar/bias']); // [B, K] diag, [B, 1] iso
    std = g.op1('Exp', [g.op1('Mul', [logvar, half])]);
    z = g.op1('Add', [mean, g.op1('Mul', [std, 'eps'])]); // reparameterisation (iso broadcasts)
    // KL = ½ Σ_d (μ² + e^ℓ − 1 − ℓ); iso: ½ (‖μ‖² + K(e^ℓ − 1 − ℓ)) with the shared ℓ.
    const lvTerm = g.op1('Sub', [g.op1('Sub', [g.op1('Exp', [logvar]), one]), logvar]);
    const m2 = g.op1('ReduceSum', [g.op1('Mul', [mean, mean]), ax1], { keepdims: attr.int(0) }); // [B]
    const lvSum = posterior === 'diag'
      ? g.op1('ReduceSum', [lvTerm, ax1], { keepdims: attr.int(0) })
      : g.op1('Mul', [g.op1('Squeeze', [lvTerm, ax1]), f32('k', K)]);
    kl = g.op1('Mul', [g.op1('Add', [m2, lvSum]), half], {}, 'kl'); // [B]
  }
  endPhase('latent');

  // ---- decoder: [emb(y_t), z] at every step; z@W_z + b is the same every step ----------------------------------
  const we = g.op1('Slice', ['decoder/kernel', zero1, i64('e', [E]), ax0]); // [E, 4H]
  const wz = g.op1('Slice', ['decoder/kernel', i64('e_start', [E]), i64('ek', [E + K]), ax0]); // [K, 4H]
  const ye = g.op1('Gather', ['embedding', 'y'], { axis: attr.int(0) }); // [T, B, E]
  const zb = g.op1('Add', [g.op1('MatMul', [z, wz]), 'decoder/bias']); // [B, 4H]
  const yp = g.op1('Add', [g.op1('MatMul', [ye, we]), zb]); // [T, B, 4H]
  const dec = lstmScan(g, 'decoder', yp, zerosBH, 'decoder/recurrent_kernel', H);
  const hv = g.op1('Gather', [toFlat(dec.hs, H), 'valid_rows'], { axis: attr.int(0) }); // [N, H]
  endPhase('decoder');

  // ---- output layer: softmax cross-entropy of the targets ----------------------------------------------------
  const logits = g.op1('Gemm', [hv, 'output/kernel', 'output/bias']); // [N, V]
  const p = g.op1('Softmax', [logits], { axis: attr.int(1) });
  const tgtCol = g.op1('Unsqueeze', ['targets', ax1]); // [N, 1]
  const pt = g.op1('GatherElements', [p, tgtCol], { axis: attr.int(1) }); // [N, 1]
  g.op1('Neg', [g.op1('Log', [g.op1('Max', [g.op1('Squeeze', [pt, ax1]), f32('p_floor', 1e-38)])])], {}, 'nll'); // [N]

  const outputs: ValueInfoMsg[] = [makeValueInfo('nll', 'float32', ['tokens'])];
  if (vae) outputs.push(makeValueInfo('kl', 'float32', ['batch']));
  if (!backward) {
    endPhase('output layer');
    outputs.push(makeValueInfo('mean', 'float32', ['batch', K]));
    return g.build('isovae_eval_step', stepInputs(cfg, false), outputs, 'isovae evaluation step: per-token nll, per-example KL, posterior means.');
  }

  // ---- output layer backward: dlogits = (p − onehot)/batch ---------------------------------------------------
  // p − onehot in place of p (one scatter of N values); 1/batch is applied to the small operands and results.
  const pm = g.op1('ScatterElements', [p, tgtCol, g.op1('Sub', [pt, one])], { axis: attr.int(1) }); // [N, V]
  g.op1('Gemm', [g.op1('Mul', [hv, 'inv_batch']), pm], { transA: attr.int(1) }, gradName('output/kernel')); // [H, V]
  g.op1('Mul', [g.op1('ReduceSum', [pm, ax0], { keepdims: attr.int(0) }), 'inv_batch'], {}, gradName('output/bias')); // [V]
  const dhv = g.op1('Mul', [g.op1('Gemm', [pm, 'output/kernel'], { transB: attr.int(1) }), 'inv_batch']); // [N, H]
  endPhase('output layer');

  // ---- decoder backward ------------------------------------------------------------------------------------------
  const zeroRow = g.init('const/zero_row', 'float32', [1, H], new Float32Array(H));
  const dHd = g.op1('Reshape', [g.op1('Gather', [g.op1('Concat', [dhv, zeroRow], { axis: attr.int(0) }), 'spread_index'], { axis: attr.int(0) }), shapeOf(H)]); // [T, B, H]
  const dA = lstmBackwardScan(g, 'decoder', dec, dHd, 'decoder/recurrent_kernel', H, { zeros: zerosBH, one, shiftTime });
  const dAf = toFlat(dA, 4 * H); // [T*B, 4H]
  const dWe = g.op1('Gemm', [toFlat(ye, E), dAf], { transA: attr.int(1) }); // [E, 4H]
  const dzb = g.op1('ReduceSum', [dA, ax0], { keepdims: attr.int(0) }); // [B, 4H]: z@W_z + b is added every step
  g.op1('ReduceSum', [dzb, ax0], { keepdims: attr.int(0) }, gradName('decoder/bias'));
  const dWz = g.op1('Gemm', [z, dzb], { transA: attr.int(1) }); // [K, 4H]
  g.op1('Concat', [dWe, dWz], { axis: attr.int(0) }, gradName('decoder/kernel'));
  // dU = Hprev^T dA with Hprev = [0, h_0, ..., h_{T-2}], the recurrent input of each step
  g.op1('Gemm', [toFlat(shiftTime(dec.hs), H), dAf], { transA: attr.int(1) }, gradName('decoder/recurrent_kernel'));
  const dye = g.op1('Gemm', [dAf, we], { transB: attr.int(1) }); // [T*B, E]
  const dz = g.op1('Gemm', [dzb, wz], { transB: attr.int(1) }); // [B, K]
  endPhase('decoder backward');

  // ---- latent and heads ------------------------------------------------------------------------------------------
  let dMean = dz;
  let dLogvar = '';
  if (vae) {
    // d loss / d KL_b = β·sign(KL_b − C_t)/batch
    const coef = g.op1('Unsqueeze', [g.op1('Mul', [g.op1('Mul', [g.op1('Sign', [g.op1('Sub', [kl, 'c_t'])]), 'beta']), 'inv_batch']), ax1]); // [B, 1]
    dMean = g.op1('Add', [dz, g.op1('Mul', [coef, mean])]); // dKL/dμ = μ
    let dlvZ = g.op1('Mul', [g.op1('Mul', [dz, 'eps']), g.op1('Mul', [std, half])]); // dz/dℓ = ε·½·e^{ℓ/2}
    if (posterior === 'iso') dlvZ = g.op1('ReduceSum', [dlvZ, ax1], { keepdims: attr.int(1) }); // shared ℓ feeds all K
    const klPerLv = f32('kl_per_lv', posterior === 'iso' ? 0.5 * K : 0.5); // dKL/dℓ = ½(e^ℓ − 1), ×K for IGP
    dLogvar = g.op1('Add', [dlvZ, g.op1('Mul', [coef, g.op1('Mul', [g.op1('Sub', [g.op1('Exp', [logvar]), one]), klPerLv])])]);
  }
  g.op1('Gemm', [rep, dMean], { transA: attr.int(1) }, gradName('mean/kernel'));
  g.op1('ReduceSum', [dMean, ax0], { keepdims: attr.int(0) }, gradName('mean/bias'));
  let dRep = g.op1('Gemm', [dMean, 'mean/kernel'], { transB: attr.int(1) }); // [B, H]
  if (vae) {
    g.op1('Gemm', [rep, dLogvar], { transA: attr.int(1) }, gradName('logvar/kernel'));
    g.op1('ReduceSum', [dLogvar, ax0], { keepdims: attr.int(0) }, gradName('logvar/bias'));
    dRep = g.op1('Add', [dRep, g.op1('Gemm', [dLogvar, 'logvar/kernel'], { transB: attr.int(1) })]);
  }
  endPhase('latent backward');

  // ---- encoder backward: the summary is h at EOS, so its gradient enters at that step only -------------------
  const dHe = g.op1('Mul', ['eos_mask', g.op1('Unsqueeze', [dRep, ax0])]); // [T, B, H]
  const dAe = lstmBackwardScan(g, 'encoder', enc, dHe, 'encoder/recurrent_kernel', H, { zeros: zerosBH, one, shiftTime });
  const dAef = toFlat(dAe, 4 * H);
  g.op1('Gemm', [toFlat(xe, E), dAef], { transA: attr.int(1) }, gradName('encoder/kernel'));
  g.op1('ReduceSum', [dAef, ax0], { keepdims: attr.int(0) }, gradName('encoder/bias'));
  g.op1('Gemm', [toFlat(shiftTime(enc.hs), H), dAef], { transA: attr.int(1) }, gradName('encoder/recurrent_kernel'));
  const dxe = g.op1('Gemm', [dAef, 'encoder/kernel'], { transB: attr.int(1) }); // [T*B, E]
  endPhase('encoder backward');

  // ---- embedding: scatter-add of both input gradients (duplicate ids sum) ---------------------------------------
  const ids = g.op1('Cast', [g.op1('Concat', [toFlat('x', 1), toFlat('y', 1)], { axis: attr.int(0) })], { to: CAST_TO.int64 }); // [2TB, 1]
  const embZeros = g.op1('ConstantOfShape', [g.op1('Shape', ['embedding'])], { value: attr.tensor(makeTensor('zero', 'float32', [1], [0])) });
  g.op1('ScatterND', [embZeros, ids, g.op1('Concat', [dxe, dye], { axis: attr.int(0) })], { reduction: attr.string('add') }, gradName('embedding'));

  endPhase('embedding backward');
  for (const [w, shape] of weightShapes(cfg)) outputs.push(makeValueInfo(gradName(w), 'float32', shape));
  return g.build('isovae_train_step', stepInputs(cfg, true), outputs, 'isovae training step: forward, hand-written backward, per-example objective terms.');
}

/** Declared inputs of the step graph: every weight, then the data inputs the variant uses. */
function stepInputs(cfg: ModelConfig, backward: boolean): ValueInfoMsg[] {
  const out = weightShapes(cfg).map(([w, shape]) => makeValueInfo(w, 'float32', shape));
  const add = (name: string, t: ElemType, shape: Array<number | string>) => out.push(makeValueInfo(name, t, shape));
  add('x', 'int32', ['time', 'batch']);
  add('y', 'int32', ['time', 'batch']);
  add('eos_mask', 'float32', ['time', 'batch', 1]);
  add('valid_rows', 'int32', ['tokens']);
  add('targets', 'int32', ['tokens']);
  if (cfg.posterior !== 'ae') add('eps', 'float32', ['batch', cfg.latentDim]);
  if (backward) {
    add('spread_index', 'int32', ['positions']);
    add('c_t', 'float32', []);
    add('beta', 'float32', []);
    add('inv_batch', 'float32', []);
  }
  return out;
}

/** What the forward scan of one LSTM leaves for its backward pass (all time-major). */
interface LstmTrace {
  /** h_t [T, B, H]. */
  hs: string;
  /** c_t [T, B, H]. */
  cs: string;
  /** Gate activations i, f, g, o [T, B, 4H] (sigmoid, sigmoid, tanh, sigmoid). */
  act: string;
  /** tanh(c_t) [T, B, H]. */
  tc: string;
}

/**
 * Forward Keras LSTM over time with a Scan: x [T, B, 4H] already holds x_t W + b (and, in the decoder, z W_z),
 * zero initial state, recurrent kernel `u` [H, 4H] read from the outer graph. Every step's gate activations,
 * c_t and tanh(c_t) are scan outputs for the backward pass.
 */
function lstmScan(g: GraphBuilder, scope: string, x: string, zeros: string, u: string, H: number): LstmTrace {
  const b = new GraphBuilder(`${g.scope}/${scope}/fwd`);
  const n = (s: string) => `${scope}/fwd/${s}`;
  const a = b.op1('Add', [n('x_t'), b.op1('MatMul', [n('h'), u])]); // [B, 4H]
  const [ai, af, ag, ao] = b.op('Split', [a], { axis: attr.int(1) }, 4) as [string, string, string, string];
  const i = b.op1('Sigmoid', [ai]);
  const f = b.op1('Sigmoid', [af]);
  const gg = b.op1('Tanh', [ag]);
  const o = b.op1('Sigmoid', [ao]);
  const c = b.op1('Add', [b.op1('Mul', [f, n('c')]), b.op1('Mul', [i, gg])], {}, n('c_out'));
  const tc = b.op1('Tanh', [c], {}, n('tc_out'));
  b.op1('Mul', [o, tc], {}, n('h_out'));
  b.op1('Identity', [n('h_out')], {}, n('hs_out'));
  b.op1('Identity', [c], {}, n('cs_out'));
  b.op1('Concat', [i, f, gg, o], { axis: attr.int(1) }, n('act_out'));
  const bh = (s: string) => makeValueInfo(n(s), 'float32', ['batch', H]);
  const body = b.build(`${scope}_fwd_body`,
    [bh('h'), bh('c'), makeValueInfo(n('x_t'), 'float32', ['batch', 4 * H])],
    [bh('h_out'), bh('c_out'), bh('hs_out'), bh('cs_out'), makeValueInfo(n('act_out'), 'float32', ['batch', 4 * H]), bh('tc_out')]);
  const [, , hs, cs, act, tcs] = g.op('Scan', [zeros, zeros, x], { body: attr.graph(body), num_scan_inputs: attr.int(1) }, 6) as string[];
  return { hs: hs!, cs: cs!, act: act!, tc: tcs! };
}

/**
 * Backward pass through time of one LSTM (train/lstm.ts `lstmBackward`), as a reverse Scan. The elementwise
 * factors that do not depend on the recurrence are computed for all steps at once outside the scan:
 *   M = [g·i(1−i), c_{t−1}·f(1−f), i·(1−g²), tanh(c)·o(1−o)]  [T, B, 4H]   and   od = o·(1 − tanh²c)  [T, B, H]
 * so that each step is: dh = dhOut_t + dh_next; dc = dh·od_t + dc_next; dA_t = [dc, dc, dc, dh]·M_t;
 * dh_next' = dA_t U^T; dc_next' = dc·f_t. Returns dA [T, B, 4H] in forward time order.
 */
function lstmBackwardScan(
  g: GraphBuilder, scope: string, tr: LstmTrace, dhOut: string, u: string, H: number,
  shared: { zeros: string; one: string; shiftTime: (t: string) => string },
): string {
  const { zeros, one, shiftTime } = shared;
  const [i, f, gg, o] = g.op('Split', [tr.act], { axis: attr.int(2) }, 4) as [string, string, string, string];
  const dSig = (s: string) => g.op1('Mul', [s, g.op1('Sub', [one, s])]); // σ' = s(1 − s)
  const cPrev = shiftTime(tr.cs);
  const m = g.op1('Concat', [
    g.op1('Mul', [gg, dSig(i)]),
    g.op1('Mul', [cPrev, dSig(f)]),
    g.op1('Mul', [i, g.op1('Sub', [one, g.op1('Mul', [gg, gg])])]),
    g.op1('Mul', [tr.tc, dSig(o)]),
  ], { axis: attr.int(2) }); // [T, B, 4H]
  const od = g.op1('Mul', [o, g.op1('Sub', [one, g.op1('Mul', [tr.tc, tr.tc])])]); // [T, B, H]
  const uT = g.op1('Transpose', [u]); // [4H, H]
  const b = new GraphBuilder(`${g.scope}/${scope}/bwd`);
  const n = (s: string) => `${scope}/bwd/${s}`;
  const dh = b.op1('Add', [n('dh_out_t'), n('dh_next')]);
  const dc = b.op1('Add', [b.op1('Mul', [dh, n('od_t')]), n('dc_next')]);
  const da = b.op1('Mul', [b.op1('Concat', [dc, dc, dc, dh], { axis: attr.int(1) }), n('m_t')], {}, n('da_out'));
  b.op1('MatMul', [da, uT], {}, n('dh_prev'));
  b.op1('Mul', [dc, n('f_t')], {}, n('dc_prev'));
  const bh = (s: string) => makeValueInfo(n(s), 'float32', ['batch', H]);
  const b4 = (s: string) => makeValueInfo(n(s), 'float32', ['batch', 4 * H]);
  const body = b.build(`${scope}_bwd_body`,
    [bh('dh_next'), bh('dc_next'), bh('dh_out_t'), bh('od_t'), b4('m_t'), bh('f_t')],
    [bh('dh_prev'), bh('dc_prev'), b4('da_out')]);
  const outs = g.op('Scan', [zeros, zeros, dhOut, od, m, f], {
    body: attr.graph(body), num_scan_inputs: attr.int(4),
    scan_input_directions: attr.ints([1, 1, 1, 1]), scan_output_directions: attr.ints([1]),
  }, 3);
  return outs[2]!;
}
