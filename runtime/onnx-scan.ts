import { IsovaeError } from '../core/errors.ts';
import { f16ToNumber } from '../core/dtype.ts';

/**
 * A read-only walk over ONNX protobuf bytes (wire format only, no schema library) that checks the
 * structure of a `ModelProto` before the bytes reach onnxruntime, and lists what the runtime needs:
 * graph inputs/outputs with shapes, and initializer names, dims and data locations.
 *
 * Why: a truncated or corrupt file must give an `IsovaeError('E_MODEL_FILE')` naming the file, not an
 * obscure failure inside onnxruntime. Field numbers are from onnx/onnx.proto (IR version 8).
 */

/** ONNX TensorProto.DataType values the runtime cares about. */
export const ONNX_FLOAT = 1;
export const ONNX_INT32 = 6;
export const ONNX_INT64 = 7;
export const ONNX_INT8 = 3;
export const ONNX_FLOAT16 = 10;

/** One graph input or output as declared in the file. A dim is a number (static) or a name (dynamic). */
export interface ScannedValue {
  name: string;
  elemType: number;
  shape: Array<number | string>;
}

/** One initializer: where its raw little-endian data lives inside the scanned bytes. */
export interface ScannedInitializer {
  name: string;
  dataType: number;
  dims: number[];
  /** Byte range of `raw_data` (or packed `float_data`) inside the model bytes; length 0 if absent. */
  dataOffset: number;
  dataLength: number;
  /** True when the data came from packed `float_data` rather than `raw_data`. */
  packed: boolean;
}

/** The parts of a ModelProto the runtime validates. */
export interface ScannedModel {
  irVersion: number;
  opsets: number[];
  nodeCount: number;
  inputs: ScannedValue[];
  outputs: ScannedValue[];
  initializers: ScannedInitializer[];
  /** Initializers of subgraphs (Scan / Loop bodies), with the same data locations. */
  nestedInitializers: ScannedInitializer[];
}

/** Protobuf wire reader over a byte range; every read is bounds-checked. */
class Wire {
  pos: number;
  constructor(readonly bytes: Uint8Array, start: number, readonly end: number, readonly fail: (why: string) => never) {
    this.pos = start;
  }
  done(): boolean {
    return this.pos >= this.end;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('a number runs past the end of its field');
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * mul;
      mul *= 128;
      if ((b & 0x80) === 0) return result;
    }
    return this.fail('a varint is longer than 10 bytes');
  }
  /** Reads a field key; returns [fieldNumber, wireType]. */
  key(): [number, number] {
    const k = this.varint();
    const field = Math.floor(k / 8);
    const wt = k % 8;
    if (field === 0) this.fail('field number 0');
    return [field, wt];
  }
  /** Reads a length-delimited field header and returns its [start, end) range. */
  span(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (start + len > this.end) this.fail(`a field of ${len} bytes runs past the end (truncated file?)`);
    this.pos = start + len;
    return [start, start + len];
  }
  skip(wt: number): void {
    if (wt === 0) this.varint();
    else if (wt === 1) this.advance(8);
    else if (wt === 2) this.span();
    else if (wt === 5) this.advance(4);
    else this.fail(`unsupported wire type ${wt}`);
  }
  advance(n: number): void {
    if (this.pos + n > this.end) this.fail('a fixed-size field runs past the end');
    this.pos += n;
  }
  sub(range: [number, number]): Wire {
    return new Wire(this.bytes, range[0], range[1], this.fail);
  }
  string(range: [number, number]): string {
    return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes.subarray(range[0], range[1]));
  }
}

/**
 * Scan ONNX model bytes. `file` names the source in error messages. Throws
 * `IsovaeError('E_MODEL_FILE')` if the bytes are not a structurally valid ModelProto with a graph.
 */
export function scanOnnx(bytes: Uint8Array, file: string): ScannedModel {
  const fail = (why: string): never => {
    throw new IsovaeError('E_MODEL_FILE', `${file}: not a valid ONNX model (${why}); the file is truncated or corrupt: re-export the model (isovae export <checkpoint> <out-dir>) or copy it again.`);
  };
  if (bytes.byteLength < 16) fail(`only ${bytes.byteLength} bytes`);
  const top = new Wire(bytes, 0, bytes.byteLength, fail);
  const model: ScannedModel = { irVersion: 0, opsets: [], nodeCount: 0, inputs: [], outputs: [], initializers: [], nestedInitializers: [] };
  let graph: [number, number] | null = null;
  while (!top.done()) {
    const [field, wt] = top.key();
    if (field === 1 && wt === 0) model.irVersion = top.varint();
    else if (field === 7 && wt === 2) graph = top.span();
    else if (field === 8 && wt === 2) model.opsets.push(readOpset(top.sub(top.span())));
    else top.skip(wt);
  }
  if (model.irVersion < 3 || model.irVersion > 12) fail(`ir_version ${model.irVersion} is missing or unknown`);
  if (model.opsets.length === 0) fail('no opset_import');
  if (!graph) return fail('no graph');
  readGraph(top.sub(graph), model);
  if (model.nodeCount === 0) fail('the graph has no nodes');
  return model;
}

function readOpset(w: Wire): number {
  let version = 0;
  while (!w.done()) {
    const [field, wt] = w.key();
    if (field === 2 && wt === 0) version = w.varint();
    else w.skip(wt);
  }
  return version;
}

function readGraph(w: Wire, model: ScannedModel): void {
  while (!w.done()) {
    const [field, wt] = w.key();
    if (field === 1 && wt === 2) {
      readNodeSubgraphs(w.sub(w.span()), model);
      model.nodeCount++;
    } else if (field === 5 && wt === 2) model.initializers.push(readTensor(w.sub(w.span()), w));
    else if (field === 11 && wt === 2) model.inputs.push(readValueInfo(w.sub(w.span())));
    else if (field === 12 && wt === 2) model.outputs.push(readValueInfo(w.sub(w.span())));
    else w.skip(wt);
  }
}

/** NodeProto: collect the initializers of graph attributes (AttributeProto.g = 6, .graphs = 11), recursively. */
function readNodeSubgraphs(w: Wire, model: ScannedModel): void {
  while (!w.done()) {
    const [field, wt] = w.key();
    if (field !== 5 || wt !== 2) {
      w.skip(wt);
      continue;
    }
    const a = w.sub(w.span()); // AttributeProto
    while (!a.done()) {
      const [f2, wt2] = a.key();
      if ((f2 === 6 || f2 === 11) && wt2 === 2) readSubgraph(a.sub(a.span()), model);
      else a.skip(wt2);
    }
  }
}

function readSubgraph(w: Wire, model: ScannedModel): void {
  while (!w.done()) {
    const [field, wt] = w.key();
    if (field === 1 && wt === 2) readNodeSubgraphs(w.sub(w.span()), model);
    else if (field === 5 && wt === 2) model.nestedInitializers.push(readTensor(w.sub(w.span()), w));
    else w.skip(wt);
  }
}

const ELEM_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8 };

function readTensor(w: Wire, parent: Wire): ScannedInitializer {
  const t: ScannedInitializer = { name: '', dataType: 0, dims: [], dataOffset: 0, dataLength: 0, packed: false };
  let external = false;
  while (!w.done()) {
    const [field, wt] = w.key();
    if (field === 1 && wt === 0) t.dims.push(w.varint());
    else if (field === 1 && wt === 2) {
      const p = w.sub(w.span());
      while (!p.done()) t.dims.push(p.varint());
    } else if (field === 2 && wt === 0) t.dataType = w.varint();
    else if (field === 8 && wt === 2) t.name = w.string(w.span());
    else if ((field === 9 || field === 4) && wt === 2) {
      // raw_data (9) or packed float_data (4): both little-endian fixed-width values
      const [s, e] = w.span();
      t.dataOffset = s;
      t.dataLength = e - s;
      t.packed = field === 4;
    } else if (field === 14 && wt === 0) external = w.varint() === 1;
    else w.skip(wt);
  }
  const n = t.dims.reduce((a, b) => a * b, 1);
  const size = ELEM_BYTES[t.dataType];
  // raw_data must hold exactly prod(dims) elements; other encodings are left to onnxruntime.
  const bytesPer = t.packed ? 4 : size;
  if (!external && bytesPer !== undefined && t.dataLength > 0 && t.dataLength !== n * bytesPer) {
    parent.fail(`initializer "${t.name}" has ${t.dataLength} data bytes but dims [${t.dims}] need ${n * bytesPer}`);
  }
  return t;
}

function readValueInfo(w: Wire): ScannedValue {
  const v: ScannedValue = { name: '', elemType: 0, shape: [] };
  while (!w.done()) {
    const [field, wt] = w.key();
    if (field === 1 && wt === 2) v.name = w.string(w.span());
    else if (field === 2 && wt === 2) readType(w.sub(w.span()), v);
    else w.skip(wt);
  }
  return v;
}

function readType(w: Wire, v: ScannedValue): void {
  while (!w.done()) {
    const [field, wt] = w.key();
    if (field === 1 && wt === 2) {
      const tt = w.sub(w.span()); // TypeProto.Tensor
      while (!tt.done()) {
        const [f2, wt2] = tt.key();
        if (f2 === 1 && wt2 === 0) v.elemType = tt.varint();
        else if (f2 === 2 && wt2 === 2) {
          const shape = tt.sub(tt.span()); // TensorShapeProto
          while (!shape.done()) {
            const [f3, wt3] = shape.key();
            if (f3 === 1 && wt3 === 2) v.shape.push(readDim(shape.sub(shape.span())));
            else shape.skip(wt3);
          }
        } else tt.skip(wt2);
      }
    } else w.skip(wt);
  }
}

function readDim(w: Wire): number | string {
  let dim: number | string = '?';
  while (!w.done()) {
    const [field, wt] = w.key();
    if (field === 1 && wt === 0) dim = w.varint();
    else if (field === 2 && wt === 2) dim = w.string(w.span());
    else w.skip(wt);
  }
  return dim;
}

/**
 * Copy a float32 initializer out of model bytes (little-endian raw data), or null if `name` is absent
 * or not stored as float32 data in the file.
 */
export function readFloatInitializer(bytes: Uint8Array, scan: ScannedModel, name: string): Float32Array | null {
  const t = scan.initializers.find((i) => i.name === name);
  return t ? readFloats(bytes, t) : null;
}

/** The float32 values of a scanned initializer (raw or packed data), or null if it is not float32 data in the file. */
export function readFloats(bytes: Uint8Array, t: ScannedInitializer): Float32Array | null {
  if (t.dataType !== ONNX_FLOAT || t.dataLength === 0) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + t.dataOffset, t.dataLength);
  const out = new Float32Array(t.dataLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** The values of a float16 initializer (raw data) as numbers, or null if it is not float16 data in the file. */
export function readHalfFloats(bytes: Uint8Array, t: ScannedInitializer): Float32Array | null {
  if (t.dataType !== ONNX_FLOAT16 || t.dataLength === 0) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset + t.dataOffset, t.dataLength);
  const out = new Float32Array(t.dataLength / 2);
  for (let i = 0; i < out.length; i++) out[i] = f16ToNumber(view.getUint16(2 * i, true));
  return out;
}
