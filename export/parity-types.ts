import type { GraphName } from '../core/model-dir.ts';

/**
 * The source model the ONNX graphs are checked against, on host arrays (row-major). The tfjs
 * adapter is `tfParityReference` (export/tf-reference.ts); tests use a float64 JS reference.
 */
export interface ParityReference {
  /** tokens [batch, seq] int32, post-padded -> mean [batch*K], logvar [batch*K] or null (AE). */
  encode(tokens: Int32Array, batch: number, seq: number): Promise<{ mean: Float32Array; logvar: Float32Array | null }>;
  /** One decoder step: token [batch], z [batch*K], h, c [batch*H] -> logits [batch*V], h, c [batch*H]. */
  decoderStep(token: Int32Array, z: Float32Array, h: Float32Array, c: Float32Array, batch: number):
    Promise<{ logits: Float32Array; h: Float32Array; c: Float32Array }>;
  /** Greedy decode from z [batch*K] for `steps` steps; per row the ids before the first EOS. */
  greedyDecode(z: Float32Array, batch: number, steps: number): Promise<number[][]>;
}

/** Agreement of one graph output over all grid cases. */
export interface OutputParity {
  graph: GraphName;
  output: string;
  /** Max |onnx - reference| over all cases (for next_token: 0 when every id matches). */
  maxAbsDiff: number;
  /** Number of grid cases compared. */
  cases: number;
  /** next_token only: ids that differ from the reference argmax and are not a near-tie (|gap| <= atol). */
  mismatches?: number;
  /** next_token only: ids that differ but sit on a near-tie of the reference logits (not a failure). */
  nearTies?: number;
}

/** Greedy-decode agreement of the ONNX decode loop with the reference's greedyDecode. */
export interface GreedyParity {
  sentences: number;
  /** Sentences whose token sequences are identical. */
  identical: number;
  /** Percentage of agreeing positions (each sequence compared up to and including its EOS). */
  tokenAgreement: number;
}

/** Everything measured on one execution provider. */
export interface ProviderParity {
  provider: string;
  outputs: OutputParity[];
  greedy: GreedyParity;
  /** Human-readable failures (empty when the provider passes). */
  failures: string[];
}

/** Result of a parity check: one entry per execution provider. */
export interface ParityTable {
  atol: number;
  providers: ProviderParity[];
  ok: boolean;
}

/**
 * Failing outputs (max abs diff above atol, or next_token mismatches) and all outputs, over every provider.
 * When most fail (more than half), the model directory was almost certainly exported from other weights than
 * the checkpoint's (another run or another epoch), not miscompiled: an exporter bug shows in one graph.
 */
export function failingOutputs(t: ParityTable): { failed: number; total: number; likelyOtherRun: boolean } {
  let failed = 0;
  let total = 0;
  for (const p of t.providers) {
    for (const o of p.outputs) {
      total++;
      if (o.maxAbsDiff > t.atol || (o.mismatches ?? 0) > 0) failed++;
    }
  }
  return { failed, total, likelyOtherRun: total > 0 && failed * 2 > total };
}

/** The verdict `isovae verify` adds when most outputs fail (null otherwise). */
export function otherRunHint(t: ParityTable): string | null {
  const f = failingOutputs(t);
  return f.likelyOtherRun
    ? `${f.failed} of ${f.total} outputs differ: the checkpoint and the model are probably not the same run (or not the same epoch of it). ` +
      'Check both paths, or re-export the model from this checkpoint.'
    : null;
}

/** Render a parity table as aligned text lines (one block per provider). */
export function formatParityTable(t: ParityTable): string {
  const lines: string[] = [];
  for (const p of t.providers) {
    lines.push(`execution provider: ${p.provider}  (atol ${t.atol})`);
    lines.push(`  ${'graph'.padEnd(14)} ${'output'.padEnd(11)} ${'max abs diff'.padStart(12)}  cases  status`);
    for (const o of p.outputs) {
      const bad = o.maxAbsDiff > t.atol || (o.mismatches ?? 0) > 0;
      const extra = o.output === 'next_token' ? `  (mismatches ${o.mismatches ?? 0}, near-ties ${o.nearTies ?? 0})` : '';
      lines.push(`  ${o.graph.padEnd(14)} ${o.output.padEnd(11)} ${o.maxAbsDiff.toExponential(2).padStart(12)}  ${String(o.cases).padStart(5)}  ${bad ? 'FAIL' : 'ok'}${extra}`);
    }
    const g = p.greedy;
    lines.push(`  greedy decode: ${g.identical}/${g.sentences} sentences identical, token agreement ${g.tokenAgreement.toFixed(2)}%`);
    for (const f of p.failures) lines.push(`  FAIL ${f}`);
  }
  lines.push(t.ok ? 'parity: OK' : 'parity: FAILED');
  return lines.join('\n');
}
