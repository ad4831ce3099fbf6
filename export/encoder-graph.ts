import type { ModelConfig } from '../core/config.ts';
import { EOS_ID } from '../core/special.ts';
import type { HostTensor, Weights } from '../core/weights.ts';
import { attr } from '../onnx/builder.ts';
import { GraphBuilder, makeValueInfo } from '../onnx/graph-builder.ts';
import { batchZeros, CAST_TO, kerasCell, need, posteriorHeads, weightInit } from '../onnx/graph-parts.ts';
import { encoderInputs, encoderOutputs, toValueInfos } from './io.ts';
import { projectionTable } from './tables.ts';
import type { GraphMsg } from '../onnx/onnx-proto.ts';

/** How the encoder iterates over time: ONNX `Scan` or `Loop` (both primitives-only inside). */
export type Recurrence = 'scan' | 'loop';

/** Options of the primitive encoder graph. */
export interface EncoderGraphOptions {
  /** Time iteration construct (default 'scan'; see the README/report for timings). */
  recurrence?: Recurrence;
  /**
   * Replace Embedding + input projection by one precomputed [V, 4H] table (Emb@W + b) that is
   * gathered per token: skips one [B*T, E]x[E, 4H] MatMul but stores V*4H floats (98 MB at paper size).
   * Default false.
   */
  gatherTable?: boolean;
}

/**
 * The primitive encoder graph (runs on every EP): tokens [batch, seq] int32 -> mean [batch, K]
 * (+ logvar [batch, K] unless AE). The input projection of all steps is one MatMul outside the
 * recurrence; the recurrence carries (h, c, acc) with acc += h_t * [token_t == EOS] as the paper's
 * code does, so the summary is h at the EOS position, and padding after EOS cannot change it.
 * A row without EOS gets the zero summary, like the paper's code.
 */
export function buildEncoderGraph(cfg: ModelConfig, w: Weights, opts: EncoderGraphOptions = {}): GraphMsg {
  const H = cfg.hiddenDim;
  const recurrence = opts.recurrence ?? 'scan';
  const g = new GraphBuilder('encoder');
  let xProj: string; // [B, T, 4H] input projection incl. bias
  if (opts.gatherTable) {
    const table = projectionTable(need(w, 'embedding'), need(w, 'encoder/kernel'), 0, need(w, 'encoder/bias'));
    xProj = g.op1('Gather', [g.init('encoder/input_table', 'float32', table.shape, table.data), 'tokens'], { axis: attr.int(0) });
  } else {
    const emb = g.op1('Gather', [weightInit(g, w, 'embedding'), 'tokens'], { axis: attr.int(0) }); // [B, T, E]
    const xw = g.op1('MatMul', [emb, weightInit(g, w, 'encoder/kernel')]); // [B, T, 4H]
    xProj = g.op1('Add', [xw, weightInit(g, w, 'encoder/bias')]);
  }
  const eos = g.init('const/eos', 'int32', [], [EOS_ID]);
  const isEos = g.op1('Cast', [g.op1('Equal', ['tokens', eos])], { to: CAST_TO.float32 }); // [B, T]
  const axis2 = g.init('const/axis2', 'int64', [1], [2]);
  const mask = g.op1('Unsqueeze', [isEos, axis2]); // [B, T, 1]
  const zeros = batchZeros(g, 'tokens', H); // [B, H]
  const recurrent = need(w, 'encoder/recurrent_kernel'); // [H, 4H], an initializer of the body graph
  let summary: string;
  if (recurrence === 'scan') {
    const body = cellBody(H, recurrent, 'scan');
    // Scan over axis 1 (time) of xProj and mask; states h, c, acc; no scan outputs.
    const outs = g.op('Scan', [zeros, zeros, zeros, xProj, mask], {
      body: attr.graph(body), num_scan_inputs: attr.int(2), scan_input_axes: attr.ints([1, 1]),
    }, 3);
    summary = outs[2]!;
  } else {
    const perm = { perm: attr.ints([1, 0, 2]) };
    const xT = g.op1('Transpose', [xProj], perm); // [T, B, 4H]: time-major so each step gathers a contiguous block
    const mT = g.op1('Transpose', [mask], perm); // [T, B, 1]
    const steps = g.op1('Squeeze', [g.op1('Shape', ['tokens'], { end: attr.int(2), start: attr.int(1) }), g.init('const/axis0', 'int64', [1], [0])]); // scalar int64
    const body = cellBody(H, recurrent, 'loop', xT, mT);
    const outs = g.op('Loop', [steps, '', zeros, zeros, zeros], { body: attr.graph(body) }, 3);
    summary = outs[2]!;
  }
  posteriorHeads(g, cfg, w, summary);
  return g.build('isovae_encoder', toValueInfos(encoderInputs()), toValueInfos(encoderOutputs(cfg)),
    `isovae encoder (${recurrence}${opts.gatherTable ? ', gather table' : ''}): tokens post-padded with PAD=0, one EOS (id ${EOS_ID}) per row.`);
}

/**
 * The recurrence body: one Keras LSTM step. Scan body inputs (h, c, acc, x_t [B,4H], m_t [B,1]);
 * Loop body inputs (iter, cond, h, c, acc) with x_t, m_t gathered from the outer [T, B, ...] tensors.
 */
function cellBody(H: number, recurrentW: HostTensor, kind: Recurrence, xT = '', mT = ''): GraphMsg {
  const b = new GraphBuilder(`encoder/${kind}_body`);
  // Body-local initializer (not an outer-scope value) so onnxruntime can pre-pack it for the MatMul.
  const recurrent = b.init('encoder/recurrent_kernel', 'float32', recurrentW.shape, recurrentW.data);
  const state = ['h', 'c', 'acc'].map((n) => makeValueInfo(`${kind}/${n}`, 'float32', ['batch', H]));
  let x: string;
  let m: string;
  let inputs;
  let condOut: string[] = [];
  if (kind === 'scan') {
    x = `${kind}/x_t`;
    m = `${kind}/m_t`;
    inputs = [...state, makeValueInfo(x, 'float32', ['batch', 4 * H]), makeValueInfo(m, 'float32', ['batch', 1])];
  } else {
    const iter = 'loop/iter';
    inputs = [makeValueInfo(iter, 'int64', []), makeValueInfo('loop/cond', 'bool', []), ...state];
    x = b.op1('Gather', [xT, iter], { axis: attr.int(0) }); // [B, 4H]
    m = b.op1('Gather', [mT, iter], { axis: attr.int(0) }); // [B, 1]
    condOut = [b.op1('Identity', ['loop/cond'], {}, 'loop/cond_out')];
  }
  const gates = b.op1('Add', [x, b.op1('MatMul', [`${kind}/h`, recurrent])]); // [B, 4H]
  const cell = kerasCell(b, gates, `${kind}/c`, { h: `${kind}/h_out`, c: `${kind}/c_out` });
  b.op1('Add', [`${kind}/acc`, b.op1('Mul', [cell.h, m])], {}, `${kind}/acc_out`);
  const outputs = ['h_out', 'c_out', 'acc_out'].map((n) => makeValueInfo(`${kind}/${n}`, 'float32', ['batch', H]));
  if (kind === 'loop') outputs.unshift(makeValueInfo(condOut[0]!, 'bool', []));
  return b.build(`encoder_${kind}_body`, inputs, outputs);
}
