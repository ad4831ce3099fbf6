import { DEFAULT_INT8_SCHEME, f16ToNumber, scaleName, zeroPointName, type Int8Scheme } from '../core/dtype.ts';
import { attr, makeNode } from './builder.ts';
import { AttributeType, DataType, onnxProto, type AttributeMsg, type GraphMsg, type ModelMsg, type NodeMsg, type TensorMsg } from './onnx-proto.ts';

/**
 * Weight-precision transforms of built ONNX graphs (standard ops only, default domain, opset 17), so any
 * runtime runs the result: onnxruntime-node CPU, onnxruntime-web WASM / WebGPU, others.
 *
 * Which weights: every float32 initializer of rank 2 that is the weight input (B) of a `MatMul`, the table
 * (data) of a `Gather` on axis 0, or `W` / `R` of an `LSTM`, read once, in the graph and in every subgraph
 * (Scan/Loop bodies: the encoder's recurrent kernel is a body-local initializer; decoder_greedy's Loop body
 * reads decoder_step's weights from the outer graph, where they are converted). Biases, constants and everything else
 * stay float32, and graph inputs and outputs keep their float32 / int32 types (the runtime's IO contract
 * does not depend on the dtype).
 *
 * - `int8` (scheme {@link INT8_SCHEME}): weights symmetric int8 with one float32 scale per output channel
 *   (MatMul B [K, N]: per column, scale [N]; Gather table [V, E]: per row, scale [V, 1]; LSTM W/R
 *   [1, 4H, in]: per gate row, scale [4H]): s = max|w| / 127 (63 with `reduceRange`), q = round(w / s).
 *   MatMul: activations quantized dynamically per tensor to uint8 (`DynamicQuantizeLinear`), then
 *   `MatMulInteger` (int32), `Cast`, and one `Mul` by (activation scale x weight scales): the pattern
 *   onnxruntime fuses into its fast int8 kernel. Gather: int8 rows gathered, then cast and scaled by the
 *   gathered row scales. LSTM (no integer LSTM in the standard opset): weight-only, `DequantizeLinear`
 *   per axis 1 feeding the float LSTM (smaller file, same speed).
 * - `int8` with `int8Scheme: 'weight-only'` (scheme {@link INT8_WEIGHT_ONLY_SCHEME}): int8 weights with one
 *   float16 scale per block of 16 values along the reduction axis ({@link blockDequant}), dequantized by
 *   Cast / Reshape / Mul nodes of constant inputs in front of the unchanged float MatMul, Gather and LSTM.
 *   onnxruntime's default constant folding turns them into float32 weights once, at load: the download of int8,
 *   the speed and (but for the rounding of the weights) the accuracy of float32. For runtimes whose int8 kernels
 *   are slow (onnxruntime-web's WASM) and for models whose greedy decoding the dynamic scheme changes too much.
 * - `fp16` (scheme {@link FP16_SCHEME}): weights stored as float16. MatMul runs in float16 (activation
 *   cast to float16, result cast back to float32: the weight-bound products run at half the bytes, on
 *   WebGPU with `shader-f16` in f16 arithmetic); Gather gathers float16 rows and casts them; LSTM weights
 *   are cast to float32. The element-wise LSTM cell, the argmax and every output stay float32.
 *
 * Each quantized weight keeps its name (so checks by name, such as the runtime's embedding-rows check,
 * still apply) and its scale is the float32 initializer `<name>/scale` ({@link scaleName}).
 */

/** Weight precisions a model directory can hold besides float32. */
export type WeightDtype = 'int8' | 'fp16';

export { FP16_SCHEME, INT8_SCHEME, INT8_WEIGHT_ONLY_SCHEME } from '../core/dtype.ts';

export { f16ToNumber, type Int8Scheme } from '../core/dtype.ts';

/** Options of {@link quantizeModel}. */
export interface QuantizeOptions {
  dtype: WeightDtype;
  /**
   * int8 only: use 7-bit weights (|q| <= 63) so that u8 x s8 products summed in pairs never saturate
   * int16 on x86 CPUs without AVX-512 VNNI (onnxruntime's VPMADDUBSW path). Default false (|q| <= 127).
   */
  reduceRange?: boolean;
  /** Initializer names to leave in float32 (e.g. a layer whose quantization costs too much accuracy). */
  keepFloat?: readonly string[];
  /** int8 only: how the graph computes with the int8 weights. Default `weight-only`. */
  int8Scheme?: Int8Scheme;
  /** Weight-only int8: values per scale along the reduction axis. Default {@link WEIGHT_ONLY_BLOCK} (16). */
  blockSize?: number;
}

/** One weight the transform changed. */
export interface QuantizedWeight {
  /** Initializer name (e.g. `output/kernel`). */
  name: string;
  /** The op that consumes it: MatMul, Gather or LSTM. */
  op: 'MatMul' | 'Gather' | 'LSTM';
  dims: number[];
  /** Bytes of the float32 data and of the new data (+ scales). */
  bytesBefore: number;
  bytesAfter: number;
}

export { scaleName } from '../core/dtype.ts';

/** Decode ONNX model bytes (as written by this project's builder) into plain messages. */
export function decodeModel(bytes: Uint8Array): ModelMsg {
  const msg = onnxProto.ModelProto.decode(bytes);
  return onnxProto.ModelProto.toObject(msg, { longs: Number, arrays: true, defaults: false }) as ModelMsg;
}

/**
 * Quantize the weights of `model` to `opts.dtype` (see the module comment). Returns a new model (the
 * input is not modified) and the list of changed weights. Deterministic: the same input gives the same
 * bytes. Throws RangeError if a weight holds a non-finite value (a damaged source model).
 */
export function quantizeModel(model: ModelMsg, opts: QuantizeOptions): { model: ModelMsg; weights: QuantizedWeight[] } {
  if (opts.dtype !== 'int8' && opts.dtype !== 'fp16') throw new RangeError(`quantizeModel: dtype must be "int8" or "fp16", got ${JSON.stringify(opts.dtype)}.`);
  const weights: QuantizedWeight[] = [];
  const graph = transformGraph(model.graph, opts, weights);
  return { model: { ...model, graph }, weights };
}

const FLOAT = DataType.FLOAT;

/** Names a node reads, including names read inside its subgraphs (outer-scope references). */
function readsOf(node: NodeMsg, out: Map<string, number>): void {
  for (const i of node.input) if (i) out.set(i, (out.get(i) ?? 0) + 1);
  for (const a of node.attribute) if (a.type === AttributeType.GRAPH && a.g) for (const n of a.g.node) readsOf(n, out);
}

/**
 * The initializers visible in a graph: its own, then those of the enclosing graphs (a Loop body such as
 * decoder_greedy's reads decoder_step's weights from the outer graph). A converted weight is replaced in the
 * graph that owns it; `uses` counts reads in that graph's whole subtree. Weight-only dequantization nodes are
 * also added to the owning graph (`prepend`), so that they read only that graph's initializers and onnxruntime
 * folds them at load wherever the consumer is.
 */
interface Scope {
  get(name: string): TensorMsg | undefined;
  uses(name: string): number;
  replace(name: string, tensors: TensorMsg[]): void;
  replaced(name: string): TensorMsg[] | undefined;
  prepend(name: string, nodes: NodeMsg[]): void;
}

function transformGraph(g: GraphMsg, opts: QuantizeOptions, acc: QuantizedWeight[], parent: Scope | null = null): GraphMsg {
  const inits = new Map(g.initializer.map((t) => [t.name, t]));
  const uses = new Map<string, number>();
  for (const n of g.node) readsOf(n, uses);
  const replacedHere = new Map<string, TensorMsg[]>(); // weight name -> new initializers
  const preNodes: NodeMsg[] = []; // weight-only dequantization of this graph's weights (constant inputs only)
  const scope: Scope = {
    get: (name) => inits.get(name) ?? parent?.get(name),
    uses: (name) => (inits.has(name) ? uses.get(name) ?? 0 : parent?.uses(name) ?? 0),
    replace: (name, tensors) => (inits.has(name) ? void replacedHere.set(name, tensors) : parent?.replace(name, tensors)),
    replaced: (name) => (inits.has(name) ? replacedHere.get(name) : parent?.replaced(name)),
    prepend: (name, nodes) => (inits.has(name) ? void preNodes.push(...nodes) : parent?.prepend(name, nodes)),
  };
  const floatMatrix = (name: string | undefined, rank: number): TensorMsg | null => {
    const t = name ? scope.get(name) : undefined;
    return t && t.dataType === FLOAT && t.dims.length === rank && scope.uses(t.name) === 1 && !opts.keepFloat?.includes(t.name) ? t : null;
  };
  const replaced = { set: (name: string, tensors: TensorMsg[]) => scope.replace(name, tensors), get: (name: string) => scope.replaced(name) };
  const weightOnly = opts.dtype === 'int8' && (opts.int8Scheme ?? DEFAULT_INT8_SCHEME) === 'weight-only';
  const block = opts.blockSize ?? WEIGHT_ONLY_BLOCK;
  if (weightOnly && !(Number.isInteger(block) && block >= 1)) throw new RangeError(`quantizeModel: blockSize must be an integer >= 1, got ${block}.`);
  /** Weight-only: replace weight `w` by int8 blocks (reduction axis `axis`) and return the dequantized name. */
  const dequantized = (w: TensorMsg, axis: number, op: QuantizedWeight['op']): string => {
    const b = blockDequant(w, axis, block);
    replaced.set(w.name, b.tensors);
    scope.prepend(w.name, b.nodes);
    acc.push(record(w, op, b.tensors));
    return b.output;
  };
  const nodes: NodeMsg[] = [];
  for (const node of g.node) {
    const n = withSubgraphs(node, opts, acc, scope);
    if (n.opType === 'MatMul' && floatMatrix(n.input[1], 2)) {
      const w = floatMatrix(n.input[1], 2)!;
      if (weightOnly) {
        nodes.push({ ...n, input: [n.input[0]!, dequantized(w, 0, 'MatMul')] });
        continue;
      }
      replaced.set(w.name, opts.dtype === 'int8' ? int8Tensors(w, 'columns', opts) : [toFp16(w)]);
      nodes.push(...(opts.dtype === 'int8' ? int8MatMul(n, w.name) : fp16MatMul(n, w.name)));
      acc.push(record(w, 'MatMul', replaced.get(w.name)!));
    } else if (n.opType === 'Gather' && gatherAxis(n) === 0 && floatMatrix(n.input[0], 2)) {
      const w = floatMatrix(n.input[0], 2)!;
      if (weightOnly) {
        nodes.push({ ...n, input: [dequantized(w, 1, 'Gather'), n.input[1]!] });
        continue;
      }
      replaced.set(w.name, opts.dtype === 'int8' ? int8Tensors(w, 'rows', opts) : [toFp16(w)]);
      nodes.push(...(opts.dtype === 'int8' ? int8Gather(n, w.name) : fp16Gather(n, w.name)));
      acc.push(record(w, 'Gather', replaced.get(w.name)!));
    } else if (n.opType === 'LSTM' && (floatMatrix(n.input[1], 3) || floatMatrix(n.input[2], 3))) {
      const inputs = [...n.input];
      const pre: NodeMsg[] = [];
      for (const slot of [1, 2]) {
        const w = floatMatrix(n.input[slot], 3);
        if (!w) continue;
        if (weightOnly) {
          inputs[slot] = dequantized(w, 2, 'LSTM');
          continue;
        }
        replaced.set(w.name, opts.dtype === 'int8' ? int8Tensors(w, 'axis1', opts) : [toFp16(w)]);
        const deq = `${w.name}/dequantized`;
        pre.push(opts.dtype === 'int8'
          ? makeNode('DequantizeLinear', [w.name, scaleName(w.name), zeroPointName(w.name)], [deq], `${n.name}/dequantize_${slot}`, { axis: attr.int(1) })
          : makeNode('Cast', [w.name], [deq], `${n.name}/cast_${slot}`, { to: attr.int(FLOAT) }));
        inputs[slot] = deq;
        acc.push(record(w, 'LSTM', replaced.get(w.name)!));
      }
      nodes.push(...pre, { ...n, input: inputs });
    } else {
      nodes.push(n);
    }
  }
  const initializer = g.initializer.flatMap((t) => replacedHere.get(t.name) ?? [t]);
  return { ...g, node: [...preNodes, ...nodes], initializer };
}

/** The node with every graph attribute (Scan / Loop body) transformed too, seeing the enclosing initializers. */
function withSubgraphs(n: NodeMsg, opts: QuantizeOptions, acc: QuantizedWeight[], scope: Scope): NodeMsg {
  if (!n.attribute.some((a) => a.type === AttributeType.GRAPH)) return n;
  const attribute: AttributeMsg[] = n.attribute.map((a) => (a.type === AttributeType.GRAPH && a.g ? { ...a, g: transformGraph(a.g, opts, acc, scope) } : a));
  return { ...n, attribute };
}

function gatherAxis(n: NodeMsg): number {
  return n.attribute.find((a) => a.name === 'axis')?.i ?? 0;
}

function record(w: TensorMsg, op: QuantizedWeight['op'], made: TensorMsg[]): QuantizedWeight {
  return { name: w.name, op, dims: [...w.dims], bytesBefore: w.rawData.byteLength, bytesAfter: made.reduce((s, t) => s + t.rawData.byteLength, 0) };
}

/** Little-endian float32 values of a raw-data initializer. */
export function floatData(t: TensorMsg): Float32Array {
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.rawData.byteLength !== 4 * n) throw new RangeError(`initializer "${t.name}": ${t.rawData.byteLength} bytes of raw data for dims [${t.dims}] (expected ${4 * n}).`);
  const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = view.getFloat32(4 * i, true);
    if (!Number.isFinite(v)) throw new RangeError(`initializer "${t.name}": value ${v} at index ${i}; the source model is damaged (re-export it).`);
    out[i] = v;
  }
  return out;
}

/**
 * Symmetric int8 quantization with one scale per channel. `channels`: 'columns' (MatMul B [K, N] ->
 * scale [N]), 'rows' (Gather table [V, E] -> scale [V, 1]), 'axis1' (LSTM [1, 4H, in] -> scale [4H] and
 * an int8 zero point [4H] of zeros). A channel of zeros gets scale 1 (any value dequantizes 0 to 0).
 */
export function int8Tensors(w: TensorMsg, channels: 'columns' | 'rows' | 'axis1', opts: Pick<QuantizeOptions, 'reduceRange'>): TensorMsg[] {
  const data = floatData(w);
  const qmax = opts.reduceRange ? 63 : 127;
  const [rows, cols] = channels === 'axis1' ? [w.dims[1]!, w.dims[2]!] : [w.dims[0]!, w.dims[1]!];
  const perColumn = channels === 'columns';
  const nCh = perColumn ? cols : rows;
  const absMax = new Float64Array(nCh);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const ch = perColumn ? c : r;
      absMax[ch] = Math.max(absMax[ch]!, Math.abs(data[r * cols + c]!));
    }
  }
  // The stored (float32) scale is the one used to round, so q * scale is exactly what a runtime computes.
  const scale = Float32Array.from(absMax, (m) => (m > 0 ? Math.fround(m / qmax) : 1));
  const q = new Int8Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const s = scale[perColumn ? c : r]!;
      q[r * cols + c] = Math.max(-qmax, Math.min(qmax, Math.round(data[r * cols + c]! / s)));
    }
  }
  const out = [
    { name: w.name, dims: [...w.dims], dataType: DataType.INT8, rawData: new Uint8Array(q.buffer) },
    floatTensor(scaleName(w.name), channels === 'rows' ? [nCh, 1] : [nCh], scale),
  ];
  if (channels === 'axis1') out.push({ name: zeroPointName(w.name), dims: [nCh], dataType: DataType.INT8, rawData: new Uint8Array(nCh) });
  return out;
}

function floatTensor(name: string, dims: number[], values: Float32Array): TensorMsg {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return { name, dims, dataType: FLOAT, rawData: raw };
}

/** The same initializer as IEEE float16 (round to nearest even). */
export function toFp16(w: TensorMsg): TensorMsg {
  const data = floatData(w);
  const raw = new Uint8Array(data.length * 2);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setUint16(2 * i, f32ToF16(data[i]!), true);
  return { name: w.name, dims: [...w.dims], dataType: DataType.FLOAT16, rawData: raw };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits of a number (round to nearest, ties to even; overflow to ±Inf). */
export function f32ToF16(v: number): number {
  f32[0] = v;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf / NaN
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) {
    if (e < -10) return sign; // underflow to zero
    mant |= 0x800000; // subnormal: shift the implicit bit in
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1))) m++;
    return sign | m;
  }
  const rest = mant & 0x1fff;
  let m = mant >>> 13;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1))) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}


/**
 * y = x @ W with W int8 [K, N]: DynamicQuantizeLinear(x) -> (xq uint8, xs, xzp); MatMulInteger(xq, W, xzp)
 * int32; y = float(acc) * (xs * scale[N]). Same output name as the float MatMul.
 */
function int8MatMul(n: NodeMsg, w: string): NodeMsg[] {
  const p = `${n.name}/q`;
  const [x] = n.input as [string];
  const [xq, xs, xzp] = [`${p}/x_q`, `${p}/x_scale`, `${p}/x_zero_point`];
  return [
    makeNode('DynamicQuantizeLinear', [x], [xq, xs, xzp], `${p}/DynamicQuantizeLinear`),
    makeNode('MatMulInteger', [xq, w, xzp], [`${p}/acc`], `${p}/MatMulInteger`),
    makeNode('Cast', [`${p}/acc`], [`${p}/acc_f`], `${p}/Cast`, { to: attr.int(FLOAT) }),
    makeNode('Mul', [xs, scaleName(w)], [`${p}/scale`], `${p}/MulScales`),
    makeNode('Mul', [`${p}/acc_f`, `${p}/scale`], [n.output[0]!], `${p}/Mul`),
  ];
}

/** Block length of the weight-only int8 scheme along each weight's reduction axis (16 values per scale). */
export const WEIGHT_ONLY_BLOCK = 16;

/**
 * Weight-only int8 with one float16 scale per block of `block` consecutive values along the reduction axis
 * `axis` (MatMul B [K, N]: axis 0, blocks of K per column; Gather table [V, E]: axis 1, blocks of each row;
 * LSTM W/R [1, 4H, in]: axis 2, blocks of each gate row). Symmetric: s = max|w| / 127 over the block,
 * rounded up to a float16 value (half the bytes of a float32 scale; the rounding only rescales the block),
 * q = round(w / s); a block of zeros gets scale 1.
 *
 * An axis shorter than `block` is one block. Stored: the int8 weight under its own name and dims, and the
 * scale `<name>/scale` with the weight's dims but the reduction axis split into (blocks, 1): e.g.
 * [ceil(K / 16), 1, N]. Dequantized by standard ops whose inputs
 * are all constant (so onnxruntime's default constant folding turns them into a float32 weight once, at load):
 * Cast -> (Pad the axis to a whole number of blocks) -> Reshape [.., blocks, block, ..] -> Mul Cast(scale) ->
 * Reshape [.., blocks x block, ..] -> (Slice back). Returns the new initializers, the nodes and the name of
 * the float32 weight they compute (`<name>/dequantized`).
 *
 * Why blocks rather than one scale per channel: with per-channel scales the greedy reconstructions of the shipped
 * C = 50 models changed in 30% of test sentences (the decoder LSTM's kernel is the most sensitive weight); with
 * blocks of 16 (and the posterior heads in float32, export/quantize-dir.ts), in 15-18% (docs/DECISIONS.md). The
 * scales add 2 bytes per 16 weights: files about 28% of float32.
 */
export function blockDequant(w: TensorMsg, axis: number, blockSize: number): { tensors: TensorMsg[]; nodes: NodeMsg[]; output: string } {
  const data = floatData(w);
  const d = w.dims.map(Number);
  if (!(axis >= 0 && axis < d.length)) throw new RangeError(`blockDequant: axis ${axis} out of range for "${w.name}" [${d}].`);
  const outer = d.slice(0, axis).reduce((a, b) => a * b, 1);
  const R = d[axis]!;
  const block = Math.min(blockSize, R); // an axis shorter than a block is one block (no padding)
  const inner = d.slice(axis + 1).reduce((a, b) => a * b, 1);
  const nb = Math.ceil(R / block);
  const scale = new Float32Array(outer * nb * inner);
  const q = new Int8Array(data.length);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < nb; j++) {
      const k1 = Math.min(R, (j + 1) * block);
      for (let i = 0; i < inner; i++) {
        let m = 0;
        for (let k = j * block; k < k1; k++) m = Math.max(m, Math.abs(data[(o * R + k) * inner + i]!));
        // The stored (float16) scale is the one used to round, so q * scale is exactly what a runtime computes;
        // rounded up so that |w| / scale <= 127 (no clipping, |w - q * scale| <= scale / 2).
        const sc = m > 0 ? f16AtLeast(m / 127) : 1;
        scale[(o * nb + j) * inner + i] = sc;
        for (let k = j * block; k < k1; k++) {
          const at = (o * R + k) * inner + i;
          q[at] = Math.max(-127, Math.min(127, Math.round(data[at]! / sc)));
        }
      }
    }
  }
  const p = `${w.name}/dq`;
  const padded = nb * block;
  const split = [...d.slice(0, axis), nb, block, ...d.slice(axis + 1)];
  const merged = [...d.slice(0, axis), padded, ...d.slice(axis + 1)];
  const tensors: TensorMsg[] = [
    { name: w.name, dims: [...d], dataType: DataType.INT8, rawData: new Uint8Array(q.buffer) },
    toFp16(floatTensor(scaleName(w.name), [...d.slice(0, axis), nb, 1, ...d.slice(axis + 1)], scale)),
    int64Tensor(`${p}/split_shape`, split),
    int64Tensor(`${p}/merged_shape`, merged),
  ];
  const output = `${w.name}/dequantized`;
  const nodes: NodeMsg[] = [makeNode('Cast', [w.name], [`${p}/float`], `${p}/Cast`, { to: attr.int(FLOAT) })];
  let x = `${p}/float`;
  if (padded !== R) {
    const pads = new Array<number>(2 * d.length).fill(0);
    pads[d.length + axis] = padded - R; // end of the axis
    tensors.push(int64Tensor(`${p}/pads`, pads));
    nodes.push(makeNode('Pad', [x, `${p}/pads`], [`${p}/padded`], `${p}/Pad`));
    x = `${p}/padded`;
  }
  nodes.push(
    makeNode('Reshape', [x, `${p}/split_shape`], [`${p}/blocks`], `${p}/ReshapeBlocks`),
    makeNode('Cast', [scaleName(w.name)], [`${p}/scale_float`], `${p}/CastScale`, { to: attr.int(FLOAT) }),
    makeNode('Mul', [`${p}/blocks`, `${p}/scale_float`], [`${p}/scaled`], `${p}/MulScale`),
  );
  if (padded !== R) {
    tensors.push(int64Tensor(`${p}/slice_start`, [0]), int64Tensor(`${p}/slice_end`, [R]), int64Tensor(`${p}/slice_axis`, [axis]));
    nodes.push(
      makeNode('Reshape', [`${p}/scaled`, `${p}/merged_shape`], [`${p}/merged`], `${p}/ReshapeMerged`),
      makeNode('Slice', [`${p}/merged`, `${p}/slice_start`, `${p}/slice_end`, `${p}/slice_axis`], [output], `${p}/Slice`),
    );
  } else {
    nodes.push(makeNode('Reshape', [`${p}/scaled`, `${p}/merged_shape`], [output], `${p}/ReshapeMerged`));
  }
  return { tensors, nodes, output };
}

/** The smallest float16 value >= x (x > 0), at least the smallest float16 subnormal 2^-24. */
function f16AtLeast(x: number): number {
  const bits = f32ToF16(Math.max(x, 2 ** -24));
  const h = f16ToNumber(bits) >= x ? f16ToNumber(bits) : f16ToNumber(bits + 1); // next float16 up (x > 0: bits increase)
  if (!Number.isFinite(h)) throw new RangeError(`weight-only int8: a block scale of ${x} exceeds float16 (weights above 8e6 in magnitude); keep that weight in float32 (keepFloat).`);
  return h;
}

function int64Tensor(name: string, values: readonly number[]): TensorMsg {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return { name, dims: [values.length], dataType: DataType.INT64, rawData: raw };
}

/** rows = Gather(table int8 [V, E], idx); y = float(rows) * Gather(scale [V, 1], idx). */
function int8Gather(n: NodeMsg, w: string): NodeMsg[] {
  const p = `${n.name}/q`;
  const idx = n.input[1]!;
  return [
    makeNode('Gather', [w, idx], [`${p}/rows`], `${p}/Gather`, { axis: attr.int(0) }),
    makeNode('Cast', [`${p}/rows`], [`${p}/rows_f`], `${p}/Cast`, { to: attr.int(FLOAT) }),
    makeNode('Gather', [scaleName(w), idx], [`${p}/row_scale`], `${p}/GatherScale`, { axis: attr.int(0) }),
    makeNode('Mul', [`${p}/rows_f`, `${p}/row_scale`], [n.output[0]!], `${p}/Mul`),
  ];
}

/** y = float(float16(x) @ W16). */
function fp16MatMul(n: NodeMsg, w: string): NodeMsg[] {
  const p = `${n.name}/h`;
  return [
    makeNode('Cast', [n.input[0]!], [`${p}/x16`], `${p}/CastIn`, { to: attr.int(DataType.FLOAT16) }),
    makeNode('MatMul', [`${p}/x16`, w], [`${p}/y16`], `${p}/MatMul`),
    makeNode('Cast', [`${p}/y16`], [n.output[0]!], `${p}/CastOut`, { to: attr.int(FLOAT) }),
  ];
}

/** y = float(Gather(W16, idx)). */
function fp16Gather(n: NodeMsg, w: string): NodeMsg[] {
  const p = `${n.name}/h`;
  return [
    makeNode('Gather', [w, n.input[1]!], [`${p}/rows16`], `${p}/Gather`, { axis: attr.int(0) }),
    makeNode('Cast', [`${p}/rows16`], [n.output[0]!], `${p}/Cast`, { to: attr.int(FLOAT) }),
  ];
}
