import { IsovaeError } from '../core/errors.ts';
import { Vocab } from '../core/vocab.ts';
import { MANIFEST_FILE, graphIo, manifestInt8Scheme, parseManifest, type GraphName, type ModelManifest } from '../core/model-dir.ts';
import { IsovaeModel } from './model.ts';
import { readFloatInitializer } from './onnx-scan.ts';
import { createWithFallback, resolveProviders, sessionOptions } from './providers.ts';
import { GraphSession, sharedRunQueue } from './session.ts';
import type { LoadOptions, Platform, Provider } from './types.ts';
import { checkGraphBytes, checkManifestIo, checkVocab } from './validate.ts';

/** Where a loader reads a model's files from: a directory, a byte map, or URLs. */
export interface FileSource {
  /** The bytes of `name` (a file name from the manifest), or null if it does not exist. */
  read(name: string): Promise<Uint8Array | null>;
  /** How to name `name` in error messages (a path or URL). */
  where(name: string): string;
}

/** Name of the initializer holding the mean-head bias (used by faithful imputation). */
export const MEAN_BIAS_INITIALIZER = 'mean/bias';

/**
 * Load and validate a model through `platform` (the injected onnxruntime) from `source`.
 * Order: manifest -> vocabulary -> graph bytes (sha256, protobuf structure, IO, V) -> sessions,
 * so a bad directory fails with `IsovaeError` ('E_MANIFEST' | 'E_VOCAB' | 'E_MODEL_FILE' |
 * 'E_PROVIDER') before onnxruntime sees any bytes.
 */
export async function loadModelFrom(platform: Platform, source: FileSource, opts: LoadOptions = {}): Promise<IsovaeModel> {
  const logger = opts.logger ?? console;
  const strict = opts.strict ?? false;
  const verify = opts.verifyHashes ?? true;
  const order = resolveProviders(platform, opts.executionProviders ?? [platform.fallback], strict, logger);

  const manifestBytes = await source.read(MANIFEST_FILE);
  if (!manifestBytes) {
    throw new IsovaeError('E_MANIFEST', `${source.where(MANIFEST_FILE)} does not exist; point to a model directory written by isovae export.`);
  }
  const manifestFile = source.where(MANIFEST_FILE);
  const manifest = parseManifest(new TextDecoder().decode(manifestBytes), manifestFile);
  const keys: GraphName[] = ['encoder', 'decoder_step'];
  // int8 (dynamic scheme): the primitive encoder's MatMulInteger runs on onnxruntime's int8 kernels, while the fused
  // LSTM op has no integer form (its weights are dequantized to float): the primitive one is ~2x faster there
  // (docs/BENCHMARKS.md). Weight-only int8 computes in float32 anyway, so the fused LSTM stays the faster encoder.
  const fusedDefault = manifestInt8Scheme(manifest) !== 'dynamic';
  const fusedWanted = (opts.useFusedEncoder ?? fusedDefault) && manifest.graphs.encoder_fused !== undefined && order.some((p) => p === 'cpu' || p === 'cuda');
  if (fusedWanted) keys.push('encoder_fused');
  for (const key of keys) checkManifestIo(manifest, key, manifestFile);

  const vocabFile = source.where(manifest.vocab.file);
  const vocabBytes = await source.read(manifest.vocab.file);
  if (!vocabBytes) throw new IsovaeError('E_VOCAB', `${vocabFile} does not exist; copy the whole model directory or re-export it.`);
  if (verify) {
    const h = await platform.sha256(vocabBytes);
    if (h !== manifest.vocab.sha256) {
      throw new IsovaeError('E_VOCAB', `${vocabFile}: sha256 ${h} does not match the manifest (${manifest.vocab.sha256}); use the vocab.txt exported with this model.`);
    }
  }
  const vocab = Vocab.fromText(new TextDecoder().decode(vocabBytes), vocabFile);
  checkVocab(manifest, vocab, vocabFile);

  const bytes = new Map<GraphName, Uint8Array>();
  let meanBias: Float32Array | null = null;
  for (const key of keys) {
    const spec = manifest.graphs[key]!;
    const file = source.where(spec.file);
    const b = await source.read(spec.file);
    if (!b) throw new IsovaeError('E_MODEL_FILE', `${file} does not exist; copy the whole model directory or re-export it.`);
    const scan = checkGraphBytes(manifest, key, b, file, verify ? await platform.sha256(b) : null);
    if (key === 'encoder') meanBias = readFloatInitializer(b, scan, MEAN_BIAS_INITIALIZER);
    bytes.set(key, b);
  }
  if (meanBias && meanBias.length !== manifest.model.latentDim) meanBias = null;

  const { provider, value } = await createWithFallback(order, strict, logger, (p) => createSessions(platform, manifest, bytes, p, opts, source));
  return new IsovaeModel({ ort: platform.ort, manifest, vocab, provider, encoder: value.encoder, decoder: value.decoder, meanBias, fused: value.fused });
}

async function createSessions(
  platform: Platform,
  manifest: ModelManifest,
  bytes: Map<GraphName, Uint8Array>,
  provider: Provider,
  opts: LoadOptions,
  source: FileSource,
): Promise<{ encoder: GraphSession; decoder: GraphSession; fused: boolean }> {
  const { latentDim: K, hiddenDim: H } = manifest.model;
  const encKey: GraphName = bytes.has('encoder_fused') && (provider === 'cpu' || provider === 'cuda') ? 'encoder_fused' : 'encoder';
  const made: GraphSession[] = [];
  const make = async (key: GraphName, extra: Parameters<typeof sessionOptions>[2]): Promise<GraphSession> => {
    const spec = manifest.graphs[key]!;
    let session;
    try {
      // onnxruntime config entries (flattened to `session.intra_op.allow_spinning`): no busy-waiting threads.
      const noSpin = opts.spinning === false ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } } : {};
      session = await platform.ort.InferenceSession.create(bytes.get(key)!, sessionOptions(provider, opts.threads, { ...extra, ...noSpin }));
    } catch (e) {
      throw new Error(`${source.where(spec.file)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const io = graphIo(key, manifest.model);
    for (const [side, names] of [['input', session.inputNames], ['output', session.outputNames]] as const) {
      for (const w of side === 'input' ? io.inputs : io.outputs) {
        if (!names.includes(w.name)) {
          await session.release();
          throw new IsovaeError('E_MODEL_FILE', `${source.where(spec.file)}: onnxruntime sees no ${side} "${w.name}"; re-export the model.`);
        }
      }
    }
    // Web (fallback provider wasm): one queue for every session of the onnxruntime-web module.
    const queue = platform.fallback === 'wasm' ? sharedRunQueue(platform.ort) : undefined;
    const g = new GraphSession(`${spec.file}`, session, io.inputs, io.outputs, { K, H }, queue);
    made.push(g);
    return g;
  };
  try {
    // On WebGPU keep the recurrent state on the GPU between steps; only next_token is read back.
    const decExtra = provider === 'webgpu' ? { preferredOutputLocation: { h_out: 'gpu-buffer', c_out: 'gpu-buffer' } as const } : {};
    const decoder = await make('decoder_step', decExtra);
    const encoder = await make(encKey, {});
    return { encoder, decoder, fused: encKey === 'encoder_fused' };
  } catch (e) {
    for (const g of made) await g.release();
    throw e;
  }
}
