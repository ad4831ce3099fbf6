import {
  AttributeType, DataType, IR_VERSION, OPSET_VERSION, onnxProto,
  type AttributeMsg, type DataTypeName, type DimMsg, type GraphMsg, type ModelMsg, type NodeMsg,
  type TensorMsg, type ValueInfoMsg,
} from './onnx-proto.ts';

/** Element type of a tensor, in onnxruntime-js spelling. */
export type ElemType = 'float32' | 'int32' | 'int64' | 'bool';

const ONNX_TYPE: Record<ElemType, DataTypeName> = { float32: 'FLOAT', int32: 'INT32', int64: 'INT64', bool: 'BOOL' };
const BYTES: Record<ElemType, number> = { float32: 4, int32: 4, int64: 8, bool: 1 };

/** ONNX `TensorProto.DataType` number of an element type. */
export function onnxDataType(t: ElemType): number {
  return DataType[ONNX_TYPE[t]];
}

function checkDims(dims: readonly number[], what: string): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`${what}: dimension ${d} in [${dims}] must be a non-negative integer.`);
    n *= d;
  }
  return n;
}

/**
 * An initializer / constant tensor with little-endian `raw_data`. `data.length` must equal the
 * product of `dims` (a scalar has `dims = []` and one value), else RangeError naming the tensor.
 */
export function makeTensor(name: string, type: ElemType, dims: readonly number[], data: ArrayLike<number>): TensorMsg {
  const n = checkDims(dims, `tensor "${name}"`);
  if (data.length !== n) {
    throw new RangeError(`tensor "${name}": has ${data.length} values but dims [${dims}] need ${n}.`);
  }
  const raw = new Uint8Array(n * BYTES[type]);
  const view = new DataView(raw.buffer);
  for (let k = 0; k < n; k++) {
    const v = data[k]!;
    if (type === 'float32') view.setFloat32(4 * k, v, true);
    else if (type === 'int32') view.setInt32(4 * k, v, true);
    else if (type === 'int64') view.setBigInt64(8 * k, BigInt(v), true);
    else view.setUint8(k, v ? 1 : 0);
  }
  return { name, dims: [...dims], dataType: onnxDataType(type), rawData: raw };
}

/** An attribute value with its explicit ONNX kind (int vs float cannot be told apart in JS). */
export type Attr =
  | { kind: 'int'; value: number }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorMsg }
  | { kind: 'graph'; value: GraphMsg };

/** Attribute constructors: `attr.int(1)`, `attr.floats([0.5])`, ... */
export const attr = {
  int: (value: number): Attr => ({ kind: 'int', value }),
  ints: (value: readonly number[]): Attr => ({ kind: 'ints', value }),
  float: (value: number): Attr => ({ kind: 'float', value }),
  floats: (value: readonly number[]): Attr => ({ kind: 'floats', value }),
  string: (value: string): Attr => ({ kind: 'string', value }),
  tensor: (value: TensorMsg): Attr => ({ kind: 'tensor', value }),
  graph: (value: GraphMsg): Attr => ({ kind: 'graph', value }),
};

function toAttributeMsg(name: string, a: Attr): AttributeMsg {
  const isInt = (v: number): boolean => Number.isSafeInteger(v);
  switch (a.kind) {
    case 'int':
      if (!isInt(a.value)) throw new TypeError(`attribute "${name}": int value ${a.value} is not an integer.`);
      return { name, type: AttributeType.INT, i: a.value };
    case 'ints':
      if (!a.value.every(isInt)) throw new TypeError(`attribute "${name}": ints [${a.value}] must all be integers.`);
      return { name, type: AttributeType.INTS, ints: [...a.value] };
    case 'float':
      return { name, type: AttributeType.FLOAT, f: a.value };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: [...a.value] };
    case 'string':
      return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.value) };
    case 'tensor':
      return { name, type: AttributeType.TENSOR, t: a.value };
    case 'graph':
      return { name, type: AttributeType.GRAPH, g: a.value };
  }
}

/**
 * One graph node. Attributes are emitted sorted by name so that the bytes never depend on the
 * insertion order of `attrs`; `name` must be unique within the graph (callers derive it
 * deterministically, see GraphBuilder).
 */
export function makeNode(
  opType: string, inputs: readonly string[], outputs: readonly string[], name: string,
  attrs: Readonly<Record<string, Attr>> = {},
): NodeMsg {
  const attribute = Object.keys(attrs).sort().map((k) => toAttributeMsg(k, attrs[k]!));
  return { input: [...inputs], output: [...outputs], name, opType, domain: '', attribute };
}

/** A graph input/output declaration; string dims are symbolic (`dim_param`), numbers fixed (`dim_value`). */
export function makeValueInfo(name: string, type: ElemType, shape: ReadonlyArray<number | string>): ValueInfoMsg {
  const dim: DimMsg[] = shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: onnxDataType(type), shape: { dim } } } };
}

/** A graph from its parts (nodes must already be in topological order). */
export function makeGraph(parts: {
  name: string; nodes: NodeMsg[]; initializers: TensorMsg[]; inputs: ValueInfoMsg[]; outputs: ValueInfoMsg[]; docString?: string;
}): GraphMsg {
  const g: GraphMsg = { name: parts.name, node: parts.nodes, initializer: parts.initializers, input: parts.inputs, output: parts.outputs };
  if (parts.docString !== undefined) g.docString = parts.docString;
  return g;
}

/**
 * A model with IR version 8 and the default-domain opset 17. `metadata` entries are written
 * sorted by key (determinism). No timestamps or random ids are ever written.
 */
export function makeModel(graph: GraphMsg, opts: {
  producerVersion: string; docString?: string; metadata?: Readonly<Record<string, string>>;
}): ModelMsg {
  const meta = opts.metadata ?? {};
  return {
    irVersion: IR_VERSION,
    producerName: 'isovae',
    producerVersion: opts.producerVersion,
    modelVersion: 1,
    docString: opts.docString ?? '',
    graph,
    opsetImport: [{ domain: '', version: OPSET_VERSION }],
    metadataProps: Object.keys(meta).sort().map((key) => ({ key, value: meta[key]! })),
  };
}

/** Serialise a model to ONNX protobuf bytes (checked against the schema first). */
export function encodeModel(model: ModelMsg): Uint8Array {
  const err = onnxProto.ModelProto.verify(model);
  if (err) throw new TypeError(`encodeModel: the model message is malformed: ${err}`);
  return onnxProto.ModelProto.encode(model).finish();
}
