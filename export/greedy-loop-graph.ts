import type { ModelConfig } from '../core/config.ts';
import { BOS_ID, EOS_ID, PAD_ID } from '../core/special.ts';
import type { Weights } from '../core/weights.ts';
import { attr, makeTensor, makeValueInfo } from '../onnx/builder.ts';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { batchZeros, CAST_TO } from '../onnx/graph-parts.ts';
import type { GraphMsg } from '../onnx/onnx-proto.ts';
import { buildDecoderStepGraph, type DecoderGraphOptions } from './decoder-step-graph.ts';
import { greedyInputs, greedyOutputs, toValueInfos } from './io.ts';

/**
 * Greedy decoding as one graph (`decoder_greedy.onnx`), so that any ONNX runtime (Triton's
 * onnxruntime backend included) generates without a host-side loop. Opset 17 `Loop`:
 *
 *   z [B, K] -> tokens [B, T] int32, lengths [B] int32, finished [B] bool     (T <= maxLen steps)
 *
 * Loop-carried state: token [B] int32 (`<bos>` first), h, c [B, H] (zeros first), done [B] bool.
 * Each iteration is exactly decoder_step (the same nodes, built by decoder-step-graph.ts, weights in
 * the outer graph): next = first argmax of the logits; the scan output is next for running rows
 * and `<pad>` (0) for rows that already emitted `<eos>`; done |= (next == <eos>). The loop stops when
 * every row is done (its condition output) or after `maxLen` iterations. So a row of `tokens` is
 * its words, then `<eos>` if it finished, then padding; `lengths` counts the words (cut each row
 * there: a random or poorly trained model may emit id 0 or 1 as a word, as the runtime keeps them),
 * `finished` says whether `<eos>` came within `maxLen` tokens: the runtime's `decode(z, { maxLen })`.
 */
export function buildGreedyLoopGraph(cfg: ModelConfig, w: Weights, maxLen: number, opts: DecoderGraphOptions = {}): GraphMsg {
  if (!Number.isInteger(maxLen) || maxLen < 1) throw new RangeError(`buildGreedyLoopGraph: maxLen must be a positive integer (got ${maxLen}).`);
  const H = cfg.hiddenDim;
  const step = buildDecoderStepGraph(cfg, w, opts);

  // ---- loop body: (iter, cond, token, h, c, done) -> (cond', next, h', c', done', emitted) ----
  const body = new GraphBuilder('decoder_greedy/body');
  const eos = body.init('const/eos', 'int32', [], [EOS_ID]);
  const pad = body.init('const/pad', 'int32', [], [PAD_ID]);
  const zeroF = body.init('const/zero_f', 'float32', [], [0]);
  // decoder_step's nodes read token, z (outer-scope graph input), h, c and write next_token, h_out, c_out.
  const stepNodes = step.node;
  const isEos = body.op1('Equal', ['next_token', eos]); // [B] bool
  const emitted = body.op1('Where', ['done', pad, 'next_token'], {}, 'emitted'); // [B] int32
  const doneOut = body.op1('Or', ['done', isEos], {}, 'done_out'); // [B] bool
  // 1 where this step emitted a word (the row ran and did not stop): summed into lengths. Counting
  // ids >= 3 instead would miss words a model emits as id 0 or 1, which the runtime keeps as words.
  body.op1('Cast', [body.op1('Not', [doneOut])], { to: CAST_TO.int32 }, 'counted'); // [B] int32
  const minDone = body.op1('ReduceMin', [body.op1('Cast', [doneOut], { to: CAST_TO.float32 })], { keepdims: attr.int(0) }); // [] 1 iff all done
  body.op1('Equal', [minDone, zeroF], {}, 'cond_out'); // [] bool: continue while some row runs
  const bodyGraph = body.build('decoder_greedy_body', [
    makeValueInfo('iter', 'int64', []),
    makeValueInfo('cond_in', 'bool', []),
    makeValueInfo('token', 'int32', ['batch']),
    makeValueInfo('h', 'float32', ['batch', H]),
    makeValueInfo('c', 'float32', ['batch', H]),
    makeValueInfo('done', 'bool', ['batch']),
  ], [
    makeValueInfo('cond_out', 'bool', []),
    makeValueInfo('next_token', 'int32', ['batch']),
    makeValueInfo('h_out', 'float32', ['batch', H]),
    makeValueInfo('c_out', 'float32', ['batch', H]),
    makeValueInfo('done_out', 'bool', ['batch']),
    makeValueInfo('emitted', 'int32', ['batch']),
    makeValueInfo('counted', 'int32', ['batch']),
  ]);
  // decoder_step's nodes come first (topological order: they produce next_token).
  bodyGraph.node = [...stepNodes, ...bodyGraph.node];

  // ---- outer graph: initial state, Loop, [T, B] -> [B, T], lengths ----
  const g = new GraphBuilder('decoder_greedy');
  const batch = g.op1('Shape', ['z'], { end: attr.int(1), start: attr.int(0) }); // [1] int64 = [B]
  const token0 = g.op1('Expand', [g.init('const/bos', 'int32', [1], [BOS_ID]), batch]); // [B]
  const done0 = g.op1('ConstantOfShape', [batch], { value: attr.tensor(makeTensor('false', 'bool', [1], [0])) }); // [B] bool
  const zeros = batchZeros(g, 'z', H); // [B, H]
  const trip = g.init('const/max_len', 'int64', [], [maxLen]);
  const cond = g.init('const/true', 'bool', [], [1]);
  const [, , , done, scan, counted] = g.op('Loop', [trip, cond, token0, zeros, zeros, done0], { body: attr.graph(bodyGraph) }, 6) as [string, string, string, string, string, string];
  g.op1('Transpose', [scan], { perm: attr.ints([1, 0]) }, 'tokens'); // [T, B] -> [B, T]
  g.op1('ReduceSum', [counted, g.init('const/axis0', 'int64', [1], [0])], { keepdims: attr.int(0) }, 'lengths'); // [T, B] -> [B]
  g.op1('Identity', [done], {}, 'finished');
  const graph = g.build('isovae_decoder_greedy', toValueInfos(greedyInputs(cfg)), toValueInfos(greedyOutputs()),
    `isovae greedy decoding: Loop over decoder_step (argmax, early stop when every row emitted <eos>), at most ${maxLen} tokens.`);
  // decoder_step's weights live in the outer graph; the body reads them (and z) from the outer scope.
  graph.initializer = [...step.initializer, ...graph.initializer];
  return graph;
}
