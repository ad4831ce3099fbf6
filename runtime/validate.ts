import { IsovaeError } from '../core/errors.ts';
import { UNK_TOKEN } from '../core/special.ts';
import type { Vocab } from '../core/vocab.ts';
import { graphIo, manifestDtype, type GraphName, type ModelManifest } from '../core/model-dir.ts';
import { scaleName, zeroPointName, type ModelDtype } from '../core/dtype.ts';
import { ONNX_FLOAT, ONNX_FLOAT16, ONNX_INT32, ONNX_INT8, readFloats, readHalfFloats, scanOnnx, type ScannedModel } from './onnx-scan.ts';

const REEXPORT = 're-export the model (isovae export <checkpoint> <out-dir>)';

/**
 * Check that a graph's manifest entry declares the IO the runtime needs, with static dims equal to
 * the model config. Throws `IsovaeError('E_MANIFEST')` naming the manifest field.
 */
export function checkManifestIo(m: ModelManifest, key: GraphName, manifestFile: string): void {
  const spec = m.graphs[key]!;
  const want = graphIo(key, m.model);
  for (const side of ['inputs', 'outputs'] as const) {
    for (const w of want[side]) {
      const got = spec[side].find((s) => s.name === w.name);
      const where = `${manifestFile}: graphs.${key}.${side} "${w.name}"`;
      if (!got) throw new IsovaeError('E_MANIFEST', `${where} is missing; ${REEXPORT}.`);
      if (got.dtype !== w.dtype) throw new IsovaeError('E_MANIFEST', `${where} has dtype ${got.dtype}, the runtime needs ${w.dtype}; ${REEXPORT}.`);
      if (!sameShape(got.shape, w.shape)) {
        throw new IsovaeError('E_MANIFEST', `${where} has shape [${got.shape}] but the model config needs [${w.shape}]; ${REEXPORT}.`);
      }
    }
  }
}

function sameShape(got: ReadonlyArray<number | string>, want: ReadonlyArray<number | string>): boolean {
  // Named (dynamic) dims match any name; static dims must be equal.
  return got.length === want.length && got.every((d, i) => (typeof want[i] === 'string' ? typeof d === 'string' : d === want[i]));
}

/**
 * Check the bytes of one graph file before onnxruntime sees them: sha256 (if `hash` given),
 * protobuf structure, and declared IO names/dtypes/static dims against the manifest.
 * Throws `IsovaeError('E_MODEL_FILE')` (bytes) or `IsovaeError('E_VOCAB')` (V disagrees with the vocabulary).
 */
export function checkGraphBytes(m: ModelManifest, key: GraphName, bytes: Uint8Array, file: string, hash: string | null): ScannedModel {
  const spec = m.graphs[key]!;
  if (hash !== null && hash !== spec.sha256) {
    throw new IsovaeError(
      'E_MODEL_FILE',
      `${file}: sha256 ${hash} does not match the manifest (${spec.sha256}); the file was changed or damaged: copy the model directory again or ${REEXPORT}.`,
    );
  }
  const scan = scanOnnx(bytes, file);
  const { vocabSize: V } = m.model;
  for (const side of ['inputs', 'outputs'] as const) {
    for (const w of graphIo(key, m.model)[side]) {
      const got = scan[side].find((v) => v.name === w.name);
      if (!got) throw new IsovaeError('E_MODEL_FILE', `${file}: the graph has no ${side.slice(0, -1)} "${w.name}"; ${REEXPORT}.`);
      const elem = w.dtype === 'int32' ? ONNX_INT32 : ONNX_FLOAT;
      if (got.elemType !== elem) throw new IsovaeError('E_MODEL_FILE', `${file}: "${w.name}" has ONNX element type ${got.elemType}, expected ${elem} (${w.dtype}); ${REEXPORT}.`);
      w.shape.forEach((d, i) => {
        const g = got.shape[i];
        if (typeof d === 'number' && typeof g === 'number' && g !== d) {
          const code = w.name === 'logits' ? 'E_VOCAB' : 'E_MODEL_FILE';
          const what = w.name === 'logits' ? `the vocabulary has ${V} entries but the graph produces ${g} logits: use the vocab.txt exported with this model` : REEXPORT;
          throw new IsovaeError(code, `${file}: "${w.name}" dim ${i} is ${g}, expected ${d}; ${what}.`);
        }
      });
    }
  }
  checkWeightPrecision(manifestDtype(m), scan, bytes, file);
  const emb = scan.initializers.find((t) => t.name === 'embedding' || /(^|\/)embedding$/.test(t.name));
  if (emb && emb.dims[0] !== V) {
    throw new IsovaeError('E_VOCAB', `${file}: embedding has ${emb.dims[0]} rows but the vocabulary has ${V} entries; use the vocab.txt exported with this model.`);
  }
  return scan;
}

/**
 * Check the parsed vocabulary against the manifest: size equals `vocab.size` and `model.vocabSize`,
 * and `unk` has the manifest's id. Throws `IsovaeError('E_VOCAB')` naming the file.
 */
export function checkVocab(m: ModelManifest, vocab: Vocab, file: string): void {
  if (vocab.size !== m.vocab.size || vocab.size !== m.model.vocabSize) {
    throw new IsovaeError(
      'E_VOCAB',
      `${file}: ${vocab.size} tokens, but the manifest says vocab.size ${m.vocab.size} and model.vocabSize ${m.model.vocabSize}; the vocabulary does not belong to these graphs: use the vocab.txt exported with this model.`,
    );
  }
  if (vocab.idOf(UNK_TOKEN) !== m.special.unk || vocab.unkId !== m.special.unk) {
    throw new IsovaeError('E_VOCAB', `${file}: "${UNK_TOKEN}" has id ${vocab.idOf(UNK_TOKEN)} but the manifest says special.unk ${m.special.unk}; use the vocab.txt exported with this model.`);
  }
}

/**
 * Number of block scales a weight of `w` dims needs when `s` (rank + 1) splits one axis r into (blocks, 1):
 * s[r + 1] = 1, 1 <= blocks <= w[r], every other dim equal. Null if `s` is no such split of `w`.
 */
function blockScaleCount(w: readonly number[], s: readonly number[]): number | null {
  for (let r = 0; r < w.length; r++) {
    const same = w.every((d, i) => i === r || d === s[i < r ? i : i + 1]);
    if (same && s[r + 1] === 1 && s[r]! >= 1 && s[r]! <= w[r]!) return s.reduce((a, b) => a * b, 1);
  }
  return null;
}

const REQUANTIZE = 'copy the model directory again, or re-make it from the fp32 model (isovae quantize <fp32-dir> <out-dir> --dtype ...)';

/**
 * Check that a graph's weights match the manifest's `dtype` (int8 weights only in int8 models, float16
 * only in fp16 models) and that every int8 weight has a scale `<name>/scale`: float32 with one value per
 * output channel (dynamic scheme) or float16 with one value per block (weight-only scheme), each finite and > 0 (a NaN, zero or negative scale would silently turn the outputs
 * into garbage). Covers subgraph (Scan / Loop body) initializers. Throws `IsovaeError('E_MODEL_FILE')`
 * naming the file, the weight and the bad value.
 */
export function checkWeightPrecision(dtype: ModelDtype, scan: ScannedModel, bytes: Uint8Array, file: string): void {
  const all = [...scan.initializers, ...scan.nestedInitializers];
  const byName = new Map(all.map((t) => [t.name, t]));
  const zeroPoints = new Set(all.map((t) => zeroPointName(t.name)));
  const int8 = all.filter((t) => t.dataType === ONNX_INT8 && !zeroPoints.has(t.name));
  const fp16 = all.filter((t) => t.dataType === ONNX_FLOAT16);
  const found: ModelDtype = int8.length > 0 ? 'int8' : fp16.length > 0 ? 'fp16' : 'fp32';
  if (found !== dtype) {
    const example = (int8[0] ?? fp16[0])?.name;
    throw new IsovaeError('E_MODEL_FILE', `${file}: manifest.json says dtype ${dtype} but the graph holds ${found} weights${example ? ` (e.g. "${example}")` : ''}; the file belongs to another variant of the model: ${REQUANTIZE}.`);
  }
  for (const w of int8) {
    const s = byName.get(scaleName(w.name));
    // Per output channel (dynamic scheme, float32): MatMul B [K, N] -> [N]; Gather table [V, E] -> [V, 1]; LSTM
    // [1, 4H, in] -> [4H]. Per block (weight-only scheme, float16): the weight's dims with its reduction axis split
    // into (blocks, 1).
    const block = s !== undefined && s.dims.length === w.dims.length + 1;
    if (!s || s.dataType !== (block ? ONNX_FLOAT16 : ONNX_FLOAT)) {
      throw new IsovaeError('E_MODEL_FILE', `${file}: int8 weight "${w.name}" has no ${block ? 'float16 block' : 'float32'} scale "${scaleName(w.name)}"; ${REQUANTIZE}.`);
    }
    const expected = block ? blockScaleCount(w.dims, s.dims) : w.dims.length === 2 && s.dims.length === 1 ? w.dims[1] : w.dims.length === 2 ? w.dims[0] : w.dims[1];
    const values = block ? readHalfFloats(bytes, s) : readFloats(bytes, s);
    if (!values || expected === null || values.length !== expected) {
      throw new IsovaeError('E_MODEL_FILE', `${file}: scale "${s.name}" [${s.dims}] (${values?.length ?? 0} values) does not fit int8 weight "${w.name}" [${w.dims}] (${block ? 'one scale per block of its reduction axis' : `${expected} output channels`}); ${REQUANTIZE}.`);
    }
    const bad = values.findIndex((v) => !(Number.isFinite(v) && v > 0));
    if (bad >= 0) {
      throw new IsovaeError('E_MODEL_FILE', `${file}: scale "${s.name}"[${bad}] is ${values[bad]}; int8 scales must be finite and > 0 (the file is corrupt); ${REQUANTIZE}.`);
    }
  }
}
