import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { IsovaeError } from '../core/errors.ts';
import { EOS_ID } from '../core/special.ts';
import type { GraphName, GraphSpec, IoSpec, ModelManifest } from '../core/model-dir.ts';
import { sha256Hex } from './manifest.ts';
import type { GreedyParity, OutputParity, ParityReference, ParityTable, ProviderParity } from './parity-types.ts';
import { openSession, type ParityProvider } from './providers.ts';
import { greedyOnnx, tokenAgreement } from './greedy-onnx.ts';
import { gridTokens, normalFloats, stepTokens, uniformFloats } from './validate-inputs.ts';

/** Parity-check options; defaults follow the export validation contract (onnx-notes.md). */
export interface ParityOptions {
  /** Execution providers to check (default ['cpu']). */
  providers?: ParityProvider[];
  /** Absolute tolerance for float outputs (default 1e-4, fp32). */
  atol?: number;
  /** Batch sizes of the grid (default [1, 3, 17]). */
  batches?: number[];
  /** Sequence widths of the grid (default [1, 7, manifest.maxLen]; 1 = only EOS). */
  lengths?: number[];
  /** Sentences greedily decoded and compared token by token (default 64). */
  greedySentences?: number;
  /** Seed of all generated inputs (default 0). */
  seed?: number;
}

type Acc = Map<string, OutputParity>;
type Expected = { name: string; dims: number[]; data: ArrayLike<number> };

/** Read every graph listed in the manifest, checking its sha256 (IsovaeError E_MODEL_FILE). */
export async function readGraphs(modelDir: string, manifest: ModelManifest): Promise<Map<GraphName, Uint8Array>> {
  const out = new Map<GraphName, Uint8Array>();
  for (const [name, g] of Object.entries(manifest.graphs) as Array<[GraphName, GraphSpec]>) {
    const file = join(modelDir, g.file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new IsovaeError('E_MODEL_FILE', `${file}: cannot read the ${name} graph (${(e as Error).message}); re-export the model.`, { cause: e });
    }
    if (sha256Hex(bytes) !== g.sha256) throw new IsovaeError('E_MODEL_FILE', `${file}: sha256 does not match manifest.json (corrupt or edited file); re-export the model.`);
    out.set(name, bytes);
  }
  return out;
}

/** Compare ONNX outputs with expected tensors by name, shape and value; record into acc/failures. */
function compare(graph: GraphName, label: string, res: ort.InferenceSession.ReturnType, expected: Expected[], atol: number, acc: Acc, failures: string[]): void {
  for (const e of expected) {
    const key = `${graph}/${e.name}`;
    const row = acc.get(key) ?? { graph, output: e.name, maxAbsDiff: 0, cases: 0 };
    acc.set(key, row);
    row.cases++;
    const t = res[e.name];
    if (!t) {
      failures.push(`${key} ${label}: output missing from the ONNX graph`);
      row.maxAbsDiff = Infinity;
      continue;
    }
    if (t.dims.length !== e.dims.length || t.dims.some((d, i) => d !== e.dims[i])) {
      failures.push(`${key} ${label}: shape [${t.dims}] but expected [${e.dims}]`);
      row.maxAbsDiff = Infinity;
      continue;
    }
    const a = t.data as Float32Array;
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i]! - e.data[i]!);
      if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
    }
    row.maxAbsDiff = Math.max(row.maxAbsDiff, diff);
    if (diff > atol) failures.push(`${key} ${label}: max abs diff ${diff.toExponential(2)} > atol ${atol}`);
  }
}

/** Check that a session's declared outputs are exactly the manifest's (names, any order). */
function checkNames(graph: GraphName, session: ort.InferenceSession, outputs: IoSpec[], failures: string[]): void {
  const want = outputs.map((o) => o.name).sort().join(',');
  const got = [...session.outputNames].sort().join(',');
  if (want !== got) failures.push(`${graph}: outputs are [${got}] but the manifest declares [${want}]`);
}

/** Decoder next_token vs the reference argmax; differences on near-ties (gap <= atol) are excused. */
function compareNextToken(res: ort.InferenceSession.ReturnType, refLogits: Float32Array, V: number, batch: number, atol: number, acc: Acc, failures: string[], label: string): void {
  const row = acc.get('decoder_step/next_token') ?? { graph: 'decoder_step', output: 'next_token', maxAbsDiff: 0, cases: 0, mismatches: 0, nearTies: 0 };
  acc.set('decoder_step/next_token', row);
  row.cases++;
  const t = res.next_token;
  if (!t || t.type !== 'int32' || t.dims.length !== 1 || t.dims[0] !== batch) {
    failures.push(`decoder_step/next_token ${label}: expected int32 [${batch}], got ${t ? `${t.type} [${t.dims}]` : 'nothing'}`);
    row.mismatches = (row.mismatches ?? 0) + batch;
    return;
  }
  const ids = t.data as Int32Array;
  for (let b = 0; b < batch; b++) {
    const l = refLogits.subarray(b * V, (b + 1) * V);
    let best = 0;
    for (let v = 1; v < V; v++) if (l[v]! > l[best]!) best = v;
    const got = ids[b]!;
    if (got === best) continue;
    if (got >= 0 && got < V && l[best]! - l[got]! <= atol) row.nearTies = (row.nearTies ?? 0) + 1;
    else {
      row.mismatches = (row.mismatches ?? 0) + 1;
      row.maxAbsDiff = Math.max(row.maxAbsDiff, Math.abs(got - best));
      failures.push(`decoder_step/next_token ${label} row ${b}: ${got} but the reference argmax is ${best}`);
    }
  }
}

/** Shared state of one provider's check. */
interface Ctx {
  manifest: ModelManifest;
  ref: ParityReference;
  atol: number;
  seed: number;
  batches: number[];
  lengths: number[];
  greedySentences: number;
  acc: Acc;
  failures: string[];
}

/**
 * Open a session, run `fn`, release the session. An onnxruntime error (load or run) becomes a
 * failure of the graph instead of an exception, so every graph is still checked.
 */
async function withSession<T>(bytes: Uint8Array, provider: ParityProvider, graph: GraphName, failures: string[], fn: (s: ort.InferenceSession) => Promise<T>): Promise<T | null> {
  let session: ort.InferenceSession | null = null;
  try {
    session = await openSession(bytes, provider);
    return await fn(session);
  } catch (e) {
    if (e instanceof IsovaeError) throw e;
    failures.push(`${graph}: onnxruntime failed on ${provider}: ${(e as Error).message.split('\n')[0]}`);
    return null;
  } finally {
    await session?.release();
  }
}

/** Encoder graph vs reference over the batch x length grid. */
async function checkEncoder(graph: 'encoder' | 'encoder_fused', session: ort.InferenceSession, x: Ctx): Promise<void> {
  const { vocabSize: V, latentDim: K } = x.manifest.model;
  checkNames(graph, session, x.manifest.graphs[graph]!.outputs, x.failures);
  for (const batch of x.batches) {
    for (const len of x.lengths) {
      const tokens = gridTokens(V, batch, len, x.seed + 1000 * batch + len);
      const res = await session.run({ tokens: new ort.Tensor('int32', tokens, [batch, len]) });
      const want = await x.ref.encode(tokens, batch, len);
      const expected: Expected[] = [{ name: 'mean', dims: [batch, K], data: want.mean }];
      if (want.logvar) expected.push({ name: 'logvar', dims: [batch, K], data: want.logvar });
      compare(graph, `b${batch} L${len}`, res, expected, x.atol, x.acc, x.failures);
    }
  }
}

/** decoder_step vs reference over the batch grid (random token/z/h/c), then greedy decodes. */
async function checkDecoder(session: ort.InferenceSession, x: Ctx): Promise<GreedyParity> {
  const { vocabSize: V, hiddenDim: H, latentDim: K } = x.manifest.model;
  checkNames('decoder_step', session, x.manifest.graphs.decoder_step.outputs, x.failures);
  for (const batch of x.batches) {
    const s = x.seed + 7919 * batch;
    const token = stepTokens(V, batch, s);
    const z = normalFloats(batch * K, s + 1);
    const h = uniformFloats(batch * H, s + 2, 1);
    const c = uniformFloats(batch * H, s + 3, 2);
    const res = await session.run({
      token: new ort.Tensor('int32', token, [batch]), z: new ort.Tensor('float32', z, [batch, K]),
      h: new ort.Tensor('float32', h, [batch, H]), c: new ort.Tensor('float32', c, [batch, H]),
    });
    const want = await x.ref.decoderStep(token, z, h, c, batch);
    compare('decoder_step', `b${batch}`, res, [
      { name: 'logits', dims: [batch, V], data: want.logits },
      { name: 'h_out', dims: [batch, H], data: want.h },
      { name: 'c_out', dims: [batch, H], data: want.c },
    ], x.atol, x.acc, x.failures);
    compareNextToken(res, want.logits, V, batch, x.atol, x.acc, x.failures, `b${batch}`);
  }
  return compareGreedy(session, x.manifest, x.ref, x.greedySentences, x.seed, x.failures);
}

/**
 * Run the model directory's graphs on onnxruntime-node and the reference on the same seeded
 * inputs over the shape grid, compare every output, and compare greedy decodes. Never throws on a
 * mismatch or an onnxruntime failure: failures are collected in the returned table (`ok` false).
 * Throws IsovaeError('E_MODEL_FILE') if a graph file is missing or fails its sha256.
 */
export async function checkParity(modelDir: string, manifest: ModelManifest, ref: ParityReference, opts: ParityOptions = {}): Promise<ParityTable> {
  const atol = opts.atol ?? 1e-4;
  const graphs = await readGraphs(modelDir, manifest);
  const providers: ProviderParity[] = [];
  for (const provider of opts.providers ?? ['cpu']) {
    const x: Ctx = {
      manifest, ref, atol, seed: opts.seed ?? 0,
      batches: opts.batches ?? [1, 3, 17],
      lengths: [...new Set(opts.lengths ?? [1, Math.min(7, manifest.maxLen), manifest.maxLen])],
      greedySentences: opts.greedySentences ?? 64,
      acc: new Map(), failures: [],
    };
    for (const graph of ['encoder', 'encoder_fused'] as const) {
      const bytes = graphs.get(graph);
      if (bytes) await withSession(bytes, provider, graph, x.failures, (s) => checkEncoder(graph, s, x));
    }
    const greedy = await withSession(graphs.get('decoder_step')!, provider, 'decoder_step', x.failures, (s) => checkDecoder(s, x))
      ?? { sentences: x.greedySentences, identical: 0, tokenAgreement: 0 };
    providers.push({ provider, outputs: [...x.acc.values()], greedy, failures: x.failures });
  }
  return { atol, providers, ok: providers.every((p) => p.failures.length === 0) };
}

/** Greedy decodes of n latent codes (half posterior means of seeded sentences, half prior samples). */
async function compareGreedy(session: ort.InferenceSession, manifest: ModelManifest, ref: ParityReference, n: number, seed: number, failures: string[]): Promise<GreedyParity> {
  const { vocabSize: V, latentDim: K } = manifest.model;
  const steps = manifest.maxLen;
  const nMeans = Math.floor(n / 2);
  const z = new Float32Array(n * K);
  if (nMeans > 0) z.set((await ref.encode(gridTokens(V, nMeans, steps, seed + 31), nMeans, steps)).mean);
  z.set(normalFloats((n - nMeans) * K, seed + 37), nMeans * K);
  const got = await greedyOnnx(session, z, n, manifest.model, steps);
  const want = await ref.greedyDecode(z, n, steps);
  const agreement = tokenAgreement(got, want, EOS_ID);
  for (let b = 0; b < n; b++) {
    if (agreement.rowsEqual[b]) continue;
    failures.push(`greedy decode sentence ${b}: onnx [${got[b]!.join(' ')}] vs reference [${(want[b] ?? []).join(' ')}]`);
  }
  return { sentences: n, identical: agreement.identical, tokenAgreement: agreement.percent };
}
