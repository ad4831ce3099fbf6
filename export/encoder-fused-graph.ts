import type { ModelConfig } from '../core/config.ts';
import { EOS_ID } from '../core/special.ts';
import type { Weights } from '../core/weights.ts';
import { attr } from '../onnx/builder.ts';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { CAST_TO, need, posteriorHeads, weightInit } from '../onnx/graph-parts.ts';
import { encoderInputs, encoderOutputs, toValueInfos } from './io.ts';
import { kerasToOnnxLstm } from './lstm-weights.ts';
import type { GraphMsg } from '../onnx/onnx-proto.ts';

/**
 * The fused encoder (CPU/CUDA EPs): same IO and semantics as `buildEncoderGraph`, but one ONNX
 * `LSTM` op (default activations sigmoid/tanh/tanh = Keras with sigmoid recurrent activation)
 * with sequence_lens = (index of the first EOS) + 1 computed in-graph (float ops only), so Y_h is h at EOS.
 * Y_h is multiplied by [row has an EOS] so a row without EOS gets the zero summary, as in the
 * primitive encoder and the paper's code.
 */
export function buildEncoderFusedGraph(cfg: ModelConfig, w: Weights): GraphMsg {
  const H = cfg.hiddenDim;
  const g = new GraphBuilder('encoder_fused');
  const onnx = kerasToOnnxLstm(need(w, 'encoder/kernel'), need(w, 'encoder/recurrent_kernel'), need(w, 'encoder/bias'));
  const tokT = g.op1('Transpose', ['tokens'], { perm: attr.ints([1, 0]) }); // [T, B]
  const x = g.op1('Gather', [weightInit(g, w, 'embedding'), tokT], { axis: attr.int(0) }); // [T, B, E]
  const eos = g.init('const/eos', 'int32', [], [EOS_ID]);
  const isEos = g.op1('Equal', ['tokens', eos]); // [B, T] bool
  const eosF = g.op1('Cast', [isEos], { to: CAST_TO.float32 }); // [B, T]
  // sequence_lens = index of the first EOS + 1 = number of steps t whose exclusive running EOS count
  // is 0. Computed in float (no int64 tensor, so the graph also places fully on the WebGPU EP).
  const seen = g.op1('CumSum', [eosF, g.init('const/axis1_i32', 'int32', [], [1])], { exclusive: attr.int(1) }); // [B, T]
  const upToEos = g.op1('Cast', [g.op1('Equal', [seen, g.init('const/zero_f', 'float32', [], [0])])], { to: CAST_TO.float32 });
  const lensF = g.op1('ReduceSum', [upToEos, g.init('const/axes1', 'int64', [1], [1])], { keepdims: attr.int(0) }); // [B]
  const lens = g.op1('Cast', [lensF], { to: CAST_TO.int32 }); // [B] int32
  const W = g.init('encoder/lstm_W', 'float32', onnx.W.shape, onnx.W.data);
  const R = g.init('encoder/lstm_R', 'float32', onnx.R.shape, onnx.R.data);
  const B = g.init('encoder/lstm_B', 'float32', onnx.B.shape, onnx.B.data);
  const [, yH] = g.op('LSTM', [x, W, R, B, lens], { direction: attr.string('forward'), hidden_size: attr.int(H) }, ['', 'encoder_fused/Y_h']);
  const axis0 = g.init('const/axis0', 'int64', [1], [0]);
  const hLast = g.op1('Squeeze', [yH!, axis0]); // [B, H]
  const hasEos = g.op1('ReduceMax', [eosF], { axes: attr.ints([1]), keepdims: attr.int(1) }); // [B, 1]
  const summary = g.op1('Mul', [hLast, hasEos]);
  posteriorHeads(g, cfg, w, summary);
  return g.build('isovae_encoder_fused', toValueInfos(encoderInputs()), toValueInfos(encoderOutputs(cfg)),
    `isovae fused-LSTM encoder (CPU/CUDA): tokens post-padded with PAD=0, one EOS (id ${EOS_ID}) per row.`);
}
