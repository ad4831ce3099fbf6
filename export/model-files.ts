import type { ModelConfig } from '../core/config.ts';
import { checkWeights, type Weights } from '../core/weights.ts';
import { encodeModel, makeModel } from '../onnx/builder.ts';
import { buildDecoderStepGraph } from './decoder-step-graph.ts';
import { buildEncoderFusedGraph } from './encoder-fused-graph.ts';
import { buildEncoderGraph, type Recurrence } from './encoder-graph.ts';
import type { GraphName } from '../core/model-dir.ts';
import type { GraphMsg } from '../onnx/onnx-proto.ts';

/** Version string written as producer_version and in the manifest's `exporter`. */
export const EXPORTER_VERSION = '0.1.0';

/** Graph-level export options (all default to the portable, compact choice). */
export interface GraphOptions {
  /** Encoder time iteration: 'scan' (default) or 'loop'. */
  recurrence?: Recurrence;
  /** Also write encoder_fused.onnx (ONNX LSTM op; CPU/CUDA only). Default true. */
  fusedEncoder?: boolean;
  /** Use precomputed [V, 4H] Emb@W tables in encoder and decoder_step (bigger files). Default false. */
  gatherTables?: boolean;
  /**
   * How decoder_step computes next_token: 'float' (default) = int64-free first-argmax, so every node
   * runs on WebGPU (graph capture possible); 'op' = ArgMax + Cast (about 4% less CPU at batch 128,
   * but the int64 Cast falls back to the CPU on WebGPU).
   */
  argmax?: 'float' | 'op';
}


/**
 * Build and serialise every graph of a model. Throws IsovaeError('E_CHECKPOINT') if the weights do
 * not match `cfg`. Deterministic: the same config, weights and options give the same bytes.
 */
export function buildModelFiles(cfg: ModelConfig, w: Weights, opts: GraphOptions = {}): Map<GraphName, Uint8Array> {
  checkWeights(cfg, w, 'export');
  const graphs: Array<[GraphName, GraphMsg]> = [];
  const tables = opts.gatherTables ?? false;
  graphs.push(['encoder', buildEncoderGraph(cfg, w, { recurrence: opts.recurrence ?? 'scan', gatherTable: tables })]);
  if (opts.fusedEncoder ?? true) graphs.push(['encoder_fused', buildEncoderFusedGraph(cfg, w)]);
  graphs.push(['decoder_step', buildDecoderStepGraph(cfg, w, { gatherTable: tables, argmax: opts.argmax ?? 'float' })]);
  const out = new Map<GraphName, Uint8Array>();
  for (const [name, graph] of graphs) {
    const model = makeModel(graph, {
      producerVersion: EXPORTER_VERSION,
      docString: `isovae ${name} (${cfg.posterior}, V=${cfg.vocabSize}, E=${cfg.embeddingDim}, H=${cfg.hiddenDim}, K=${cfg.latentDim})`,
      metadata: { 'isovae.graph': name, 'isovae.posterior': cfg.posterior },
    });
    out.set(name, encodeModel(model));
  }
  return out;
}
