import type { ModelConfig } from '../core/config.ts';
import type { Weights } from '../core/weights.ts';
import { attr } from '../onnx/builder.ts';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { CAST_TO, firstArgMaxInt32, kerasCell, need, weightInit } from '../onnx/graph-parts.ts';
import { decoderInputs, decoderOutputs, toValueInfos } from './io.ts';
import type { GraphMsg } from '../onnx/onnx-proto.ts';
import { projectionTable, sliceRows, stackRows } from './tables.ts';

/** Options of the decoder-step graph. */
export interface DecoderGraphOptions {
  /**
   * Precompute Emb @ W_e + b as a [V, 4H] table and gather from it (one Gather instead of
   * Gather + the embedding rows of the MatMul). Saves little per step on CPU (the output layer
   * dominates), but stores V*4H floats (98 MB at paper size vs 9.6 MB for the embedding). Default false.
   */
  gatherTable?: boolean;
  /** 'float' (default): int64-free first-argmax (runs fully on WebGPU); 'op': ArgMax + Cast. */
  argmax?: 'float' | 'op';
}

/**
 * One decoder step as primitives (runs on every EP): token [B] int32, z [B, K], h [B, H], c [B, H]
 * -> logits [B, V], next_token [B] int32 (index of the first max of logits, see `argmax`), h_out, c_out.
 * Keras: x = concat(Emb[token], z); gates = x@Wk + h@Wr + b (blocks i, f, g, o).
 * Default layout fuses both products into one MatMul: concat(Emb[token], z, h) @ [Wk; Wr].
 */
export function buildDecoderStepGraph(cfg: ModelConfig, w: Weights, opts: DecoderGraphOptions = {}): GraphMsg {
  const { embeddingDim: E, latentDim: K } = cfg;
  const g = new GraphBuilder('decoder_step');
  const kernel = need(w, 'decoder/kernel'); // [E+K, 4H]
  const recurrent = need(w, 'decoder/recurrent_kernel'); // [H, 4H]
  let gates: string; // [B, 4H]
  if (opts.gatherTable) {
    const table = projectionTable(need(w, 'embedding'), kernel, 0, need(w, 'decoder/bias'));
    const tableName = g.init('decoder/input_table', 'float32', table.shape, table.data);
    const ew = g.op1('Gather', [tableName, 'token'], { axis: attr.int(0) }); // [B, 4H], bias included
    const wzh = stackRows([sliceRows(kernel, E, E + K), recurrent]); // [K+H, 4H]
    const zh = g.op1('Concat', ['z', 'h'], { axis: attr.int(1) }); // [B, K+H]
    gates = g.op1('Add', [ew, g.op1('MatMul', [zh, g.init('decoder/zh_kernel', 'float32', wzh.shape, wzh.data)])]);
  } else {
    const emb = g.op1('Gather', [weightInit(g, w, 'embedding'), 'token'], { axis: attr.int(0) }); // [B, E]
    const xh = g.op1('Concat', [emb, 'z', 'h'], { axis: attr.int(1) }); // [B, E+K+H]
    const wAll = stackRows([kernel, recurrent]); // [E+K+H, 4H]
    const wName = g.init('decoder/kernel_and_recurrent', 'float32', wAll.shape, wAll.data);
    gates = g.op1('Add', [g.op1('MatMul', [xh, wName]), weightInit(g, w, 'decoder/bias')]);
  }
  const cell = kerasCell(g, gates, 'c', { h: 'h_out', c: 'c_out' });
  const logits = g.op1('Add', [g.op1('MatMul', [cell.h, weightInit(g, w, 'output/kernel')]), weightInit(g, w, 'output/bias')], {}, 'logits');
  if (opts.argmax === 'op') {
    const best = g.op1('ArgMax', [logits], { axis: attr.int(1), keepdims: attr.int(0), select_last_index: attr.int(0) }); // [B] int64
    g.op1('Cast', [best], { to: CAST_TO.int32 }, 'next_token');
  } else {
    firstArgMaxInt32(g, logits, cfg.vocabSize, 'next_token');
  }
  return g.build('isovae_decoder_step', toValueInfos(decoderInputs(cfg)), toValueInfos(decoderOutputs(cfg)),
    `isovae decoder step${opts.gatherTable ? ' (gather table)' : ''}: one Keras LSTM step, logits and greedy token.`);
}
