import type { ModelConfig } from '../core/config.ts';
import type { ElemType } from '../onnx/builder.ts';
import { makeValueInfo } from '../onnx/builder.ts';
import type { ValueInfoMsg } from '../onnx/onnx-proto.ts';

/** One graph input or output as declared in the manifest (`batch`/`seq` are symbolic dims). */
export interface IoSpec {
  name: string;
  dtype: ElemType;
  shape: Array<number | string>;
}

/** The names of the graphs a model directory can hold. */
export type GraphName = 'encoder' | 'encoder_fused' | 'decoder_step' | 'decoder_greedy';

/** Inputs of the encoder graphs: post-padded int32 token ids with one EOS per row. */
export function encoderInputs(): IoSpec[] {
  return [{ name: 'tokens', dtype: 'int32', shape: ['batch', 'seq'] }];
}

/** Outputs of the encoder graphs: mean [batch, K], and logvar [batch, K] unless the model is an AE. */
export function encoderOutputs(cfg: ModelConfig): IoSpec[] {
  const K = cfg.latentDim;
  const out: IoSpec[] = [{ name: 'mean', dtype: 'float32', shape: ['batch', K] }];
  if (cfg.posterior !== 'ae') out.push({ name: 'logvar', dtype: 'float32', shape: ['batch', K] });
  return out;
}

/** Inputs of decoder_step: previous token, latent code and recurrent state. */
export function decoderInputs(cfg: ModelConfig): IoSpec[] {
  const { latentDim: K, hiddenDim: H } = cfg;
  return [
    { name: 'token', dtype: 'int32', shape: ['batch'] },
    { name: 'z', dtype: 'float32', shape: ['batch', K] },
    { name: 'h', dtype: 'float32', shape: ['batch', H] },
    { name: 'c', dtype: 'float32', shape: ['batch', H] },
  ];
}

/** Outputs of decoder_step: logits, in-graph greedy token (int32), new state. */
export function decoderOutputs(cfg: ModelConfig): IoSpec[] {
  const { vocabSize: V, hiddenDim: H } = cfg;
  return [
    { name: 'logits', dtype: 'float32', shape: ['batch', V] },
    { name: 'next_token', dtype: 'int32', shape: ['batch'] },
    { name: 'h_out', dtype: 'float32', shape: ['batch', H] },
    { name: 'c_out', dtype: 'float32', shape: ['batch', H] },
  ];
}

/** Input of decoder_greedy (the ONNX Loop graph): latent codes only; generation starts at `<bos>`. */
export function greedyInputs(cfg: ModelConfig): IoSpec[] {
  return [{ name: 'z', dtype: 'float32', shape: ['batch', cfg.latentDim] }];
}

/**
 * Outputs of decoder_greedy: tokens [batch, steps] int32 (words, then `<eos>` if the row finished,
 * then `<pad>` = 0; steps <= maxLen), lengths [batch] int32 (words per row: cut rows there),
 * finished [batch] bool (emitted `<eos>` within maxLen).
 */
export function greedyOutputs(): IoSpec[] {
  return [
    { name: 'tokens', dtype: 'int32', shape: ['batch', 'steps'] },
    { name: 'lengths', dtype: 'int32', shape: ['batch'] },
    { name: 'finished', dtype: 'bool', shape: ['batch'] },
  ];
}

/** The IO of a graph by name. */
export function graphIo(graph: GraphName, cfg: ModelConfig): { inputs: IoSpec[]; outputs: IoSpec[] } {
  if (graph === 'decoder_step') return { inputs: decoderInputs(cfg), outputs: decoderOutputs(cfg) };
  if (graph === 'decoder_greedy') return { inputs: greedyInputs(cfg), outputs: greedyOutputs() };
  return { inputs: encoderInputs(), outputs: encoderOutputs(cfg) };
}

/** ValueInfo declarations for a list of IO specs. */
export function toValueInfos(specs: readonly IoSpec[]): ValueInfoMsg[] {
  return specs.map((s) => makeValueInfo(s.name, s.dtype, s.shape));
}
