/**
 * onnx/quantize.ts: float16 conversion, int8 per-channel and weight-only block quantization, and the rewritten
 * graphs run on onnxruntime-node against references computed here in float64 from the ONNX operator definitions
 * (DynamicQuantizeLinear, MatMulInteger) or from the block rule, not from the code under test.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { attr, encodeModel, makeGraph, makeModel, makeNode, makeTensor, makeValueInfo } from '../../onnx/builder.ts';
import { DataType, type TensorMsg } from '../../onnx/onnx-proto.ts';
import { decodeModel, f16ToNumber, f32ToF16, int8Tensors, quantizeModel, scaleName, WEIGHT_ONLY_BLOCK } from '../../onnx/quantize.ts';
import { scanOnnx } from '../../runtime/onnx-scan.ts';
import { rng } from '../export/helpers.ts';

/** Every finite float16 value, ascending (independent reference for rounding). */
const F16 = (() => {
  const vals: Array<[number, number]> = [];
  for (let h = 0; h < 0x10000; h++) {
    const v = f16ToNumber(h);
    if (Number.isFinite(v) && !Object.is(v, -0)) vals.push([v, h]);
  }
  return vals.sort((a, b) => a[0] - b[0]);
})();

/** Smallest float16 value >= x > 0, by search over all values. */
function f16AtLeast(x: number): number {
  return F16.find(([v]) => v >= x)![0];
}

/** Nearest float16 by search over all values, ties to the even bit pattern. */
function nearestF16(x: number): number {
  let lo = 0;
  let hi = F16.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (F16[mid]![0] <= x) lo = mid;
    else hi = mid;
  }
  const [a, ha] = F16[lo]!;
  const [b, hb] = F16[hi]!;
  const da = Math.abs(x - a);
  const db = Math.abs(b - x);
  if (da !== db) return da < db ? a : b;
  return (ha & 1) === 0 && (hb & 1) !== 0 ? a : b;
}

const f32 = (x: number): number => Math.fround(x);
/** Round half to even (ONNX QuantizeLinear / DynamicQuantizeLinear rounding). */
const rint = (x: number): number => {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

function floatValues(t: TensorMsg): Float32Array {
  return new Float32Array(t.rawData.slice().buffer);
}

describe('float16 conversion', () => {
  it('known bit patterns, overflow, subnormals', () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(-2)).toBe(0xc000);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00); // rounds up past the largest finite value
    expect(f32ToF16(2 ** -24)).toBe(1); // smallest subnormal
    expect(f32ToF16(2 ** -26)).toBe(0); // below half of it
    expect(f32ToF16(0.1)).toBe(0x2e66);
    expect(Number.isNaN(f16ToNumber(f32ToF16(NaN)))).toBe(true);
  });

  it('rounds 20,000 random floats to the nearest float16 (ties to even), as a search over all values', () => {
    const r = rng(11);
    for (let i = 0; i < 20_000; i++) {
      const x = f32((r() * 2 - 1) * 10 ** (r() * 10 - 6));
      expect(f16ToNumber(f32ToF16(x)) + 0, `x = ${x}`).toBe(nearestF16(x) + 0); // +0: the sign of an underflowed zero is kept
    }
    // exact ties: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10 -> the even pattern (1)
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00);
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });
});

describe('int8 per-channel weights', () => {
  it('per column: scale = max|w| / 127, |w - q*s| <= s/2, zero column -> scale 1; per row: [V, 1]', () => {
    const r = rng(3);
    const [K, N] = [7, 5];
    const w = Float32Array.from({ length: K * N }, (_, i) => (i % N === 2 ? 0 : (r() * 2 - 1) * (1 + (i % N))));
    const [q, s] = int8Tensors(makeTensor('w', 'float32', [K, N], w), 'columns', {});
    expect(q!.dataType).toBe(DataType.INT8);
    expect(s!.name).toBe(scaleName('w'));
    expect(s!.dims).toEqual([N]);
    const qv = new Int8Array(q!.rawData.buffer, q!.rawData.byteOffset, K * N);
    const sv = floatValues(s!);
    for (let c = 0; c < N; c++) {
      let m = 0;
      for (let k = 0; k < K; k++) m = Math.max(m, Math.abs(w[k * N + c]!));
      expect(sv[c]).toBe(m === 0 ? 1 : f32(m / 127));
      for (let k = 0; k < K; k++) {
        expect(Math.abs(qv[k * N + c]!)).toBeLessThanOrEqual(127);
        expect(Math.abs(w[k * N + c]! - qv[k * N + c]! * sv[c]!)).toBeLessThanOrEqual(sv[c]! / 2 + 1e-7);
      }
    }
    const rows = int8Tensors(makeTensor('e', 'float32', [K, N], w), 'rows', { reduceRange: true });
    expect(rows[1]!.dims).toEqual([K, 1]);
    const rq = new Int8Array(rows[0]!.rawData.buffer, rows[0]!.rawData.byteOffset, K * N);
    expect(Math.max(...Array.from(rq, Math.abs))).toBe(63); // 7-bit range
  });
});

/** x [B, K] @ W [K, N] + gather rows of E [V, K] by id: one MatMul and one Gather with initializer weights. */
function tinyModel(W: Float32Array, E: Float32Array, K: number, N: number, V: number): Uint8Array {
  const g = makeGraph({
    name: 'g',
    nodes: [makeNode('MatMul', ['x', 'W'], ['y'], 'mm'), makeNode('Gather', ['E', 'id'], ['rows'], 'ga', { axis: attr.int(0) })],
    initializers: [makeTensor('W', 'float32', [K, N], W), makeTensor('E', 'float32', [V, K], E)],
    inputs: [makeValueInfo('x', 'float32', ['batch', K]), makeValueInfo('id', 'int32', ['batch'])],
    outputs: [makeValueInfo('y', 'float32', ['batch', N]), makeValueInfo('rows', 'float32', ['batch', K])],
  });
  return encodeModel(makeModel(g, { producerVersion: 'test' }));
}

describe('quantizeModel on onnxruntime-node', () => {
  const [B, K, N, V] = [3, 16, 9, 6];
  const r = rng(5);
  const W = Float32Array.from({ length: K * N }, () => (r() * 2 - 1) * 0.7);
  const E = Float32Array.from({ length: V * K }, () => (r() * 2 - 1) * 2);
  const x = Float32Array.from({ length: B * K }, () => (r() * 2 - 1) * 1.5 + 0.3);
  const ids = Int32Array.from([4, 0, 5]);
  const bytes = tinyModel(W, E, K, N, V);
  const run = async (b: Uint8Array): Promise<{ y: Float32Array; rows: Float32Array }> => {
    const s = await ort.InferenceSession.create(b, { logSeverityLevel: 3 });
    try {
      const out = await s.run({ x: new ort.Tensor('float32', x, [B, K]), id: new ort.Tensor('int32', ids, [B]) });
      return { y: out.y!.data as Float32Array, rows: out.rows!.data as Float32Array };
    } finally {
      await s.release();
    }
  };

  /** Loop body acc_out = acc + x @ W, with x and W read from the outer graph (the decoder_greedy layout). */
  const accumulateBody = (): ReturnType<typeof makeGraph> => makeGraph({
    name: 'body',
    nodes: [makeNode('Identity', ['cond'], ['cond_out'], 'b/id'), makeNode('MatMul', ['x', 'W'], ['xw'], 'b/mm'), makeNode('Add', ['acc', 'xw'], ['acc_out'], 'b/add')],
    initializers: [],
    inputs: [makeValueInfo('iter', 'int64', []), makeValueInfo('cond', 'bool', []), makeValueInfo('acc', 'float32', ['batch', N])],
    outputs: [makeValueInfo('cond_out', 'bool', []), makeValueInfo('acc_out', 'float32', ['batch', N])],
  });

  it('decode + encode is byte-identical (the transform starts from exactly the exported graph)', () => {
    expect(Buffer.compare(Buffer.from(encodeModel(decodeModel(bytes))), Buffer.from(bytes))).toBe(0);
  });

  it('int8: standard ops only, same IO, and outputs equal a float64 emulation of DynamicQuantizeLinear + MatMulInteger', async () => {
    const { model, weights } = quantizeModel(decodeModel(bytes), { dtype: 'int8', int8Scheme: 'dynamic' });
    expect(weights.map((w) => `${w.name}:${w.op}`)).toEqual(['W:MatMul', 'E:Gather']);
    expect(model.opsetImport.map((o) => [o.domain ?? '', o.version])).toEqual([['', 17]]);
    expect(model.graph.node.every((n) => (n.domain ?? '') === '')).toBe(true);
    expect(new Set(model.graph.node.map((n) => n.opType))).toEqual(new Set(['DynamicQuantizeLinear', 'MatMulInteger', 'Cast', 'Mul', 'Gather']));
    const qb = encodeModel(model);
    const scan = scanOnnx(qb, 'q.onnx');
    expect(scan.inputs.map((v) => [v.name, v.elemType])).toEqual([['x', 1], ['id', 6]]);
    expect(scan.outputs.map((v) => [v.name, v.elemType])).toEqual([['y', 1], ['rows', 1]]);

    const init = new Map(model.graph.initializer.map((t) => [t.name, t]));
    const wq = new Int8Array(init.get('W')!.rawData.slice().buffer);
    const ws = floatValues(init.get(scaleName('W'))!);
    const eq = new Int8Array(init.get('E')!.rawData.slice().buffer);
    const es = floatValues(init.get(scaleName('E'))!);
    // DynamicQuantizeLinear (ONNX spec): range includes 0, scale = (max - min) / 255, zp = rint(-min / scale).
    const lo = Math.min(0, ...x);
    const hi = Math.max(0, ...x);
    const xs = f32((hi - lo) / 255);
    const zp = Math.min(255, Math.max(0, rint(-lo / xs)));
    const xq = Array.from(x, (v) => Math.min(255, Math.max(0, rint(v / xs) + zp)));
    const got = await run(qb);
    for (let b = 0; b < B; b++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += (xq[b * K + k]! - zp) * wq[k * N + n]!;
        const want = acc * f32(xs * ws[n]!);
        expect(Math.abs(got.y[b * N + n]! - want), `y[${b},${n}]`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
      }
      for (let k = 0; k < K; k++) expect(got.rows[b * K + k]).toBe(f32(eq[ids[b]! * K + k]! * es[ids[b]!]!));
    }
    // and close to the float model: the quantization error stays within a few quantization steps
    const ref = await run(bytes);
    for (let i = 0; i < ref.y.length; i++) expect(Math.abs(got.y[i]! - ref.y[i]!)).toBeLessThan(0.05);
  });

  it('fp16: weights stored as float16, products in float16, outputs float32 and within float16 precision', async () => {
    const { model } = quantizeModel(decodeModel(bytes), { dtype: 'fp16' });
    expect(model.graph.initializer.map((t) => [t.name, t.dataType])).toEqual([['W', DataType.FLOAT16], ['E', DataType.FLOAT16]]);
    const got = await run(encodeModel(model));
    const h = (v: number): number => nearestF16(v);
    for (let b = 0; b < B; b++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += h(x[b * K + k]!) * h(W[k * N + n]!);
        // the float16 result of the product (accumulated in float32 or float16 by the kernel): 2^-9 relative + abs slack
        expect(Math.abs(got.y[b * N + n]! - acc)).toBeLessThanOrEqual(2 ** -9 * Math.abs(acc) + 4e-3);
      }
      for (let k = 0; k < K; k++) expect(got.rows[b * K + k]).toBe(h(E[ids[b]! * K + k]!));
    }
  });

  it('converts a weight of the outer graph read by a Loop body (decoder_greedy layout), in the outer graph', async () => {
    // acc_{t+1} = acc_t + x @ W for 3 iterations: x is a graph input, W an outer initializer read in the body.
    const body = accumulateBody();
    const g = makeGraph({
      name: 'g',
      nodes: [
        makeNode('MatMul', ['x', 'Z'], ['zero'], 'zero'), // x @ 0 = a [B, N] zero start
        makeNode('Loop', ['trip', 'yes', 'zero'], ['y'], 'loop', { body: attr.graph(body) }),
      ],
      initializers: [makeTensor('W', 'float32', [K, N], W), makeTensor('Z', 'float32', [K, N], new Float32Array(K * N)), makeTensor('trip', 'int64', [], [3]), makeTensor('yes', 'bool', [], [1])],
      inputs: [makeValueInfo('x', 'float32', ['batch', K])],
      outputs: [makeValueInfo('y', 'float32', ['batch', N])],
    });
    const fp = encodeModel(makeModel(g, { producerVersion: 'test' }));
    const { model, weights } = quantizeModel(decodeModel(fp), { dtype: 'int8', int8Scheme: 'dynamic' });
    expect(weights.map((w) => w.name).sort()).toEqual(['W', 'Z']);
    expect(model.graph.initializer.find((t) => t.name === 'W')!.dataType).toBe(DataType.INT8);
    expect(model.graph.initializer.some((t) => t.name === scaleName('W'))).toBe(true);
    const loopBody = model.graph.node.find((n) => n.opType === 'Loop')!.attribute[0]!.g!;
    expect(loopBody.initializer).toEqual([]);
    expect(loopBody.node.map((n) => n.opType)).toContain('MatMulInteger');
    const qb = encodeModel(model);
    expect(scanOnnx(qb, 'q').initializers.map((t) => t.name)).toContain('W/scale');
    const out = async (b: Uint8Array): Promise<Float32Array> => {
      const s = await ort.InferenceSession.create(b, { logSeverityLevel: 3 });
      try {
        return (await s.run({ x: new ort.Tensor('float32', x, [B, K]) })).y!.data as Float32Array;
      } finally {
        await s.release();
      }
    };
    const [ref, got] = [await out(fp), await out(qb)];
    for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThan(0.15); // 3 x the single-product error bound above
  });

  /**
   * Independent reference of weight-only int8 along `axis` of a row-major [outer, R, inner] weight: blocks of
   * `block` values, scale = the smallest float16 >= max|w| / 127 (1 for an all-zero block), q = round(w / scale),
   * value q * scale.
   */
  function blockReference(w: Float32Array, outer: number, R: number, inner: number, block: number): { deq: Float32Array; scales: number[] } {
    const deq = new Float32Array(w.length);
    const scales: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (let j = 0; j * block < R; j++) {
        for (let i = 0; i < inner; i++) {
          const idx = Array.from({ length: Math.min(block, R - j * block) }, (_, t) => (o * R + j * block + t) * inner + i);
          const m = Math.max(...idx.map((at) => Math.abs(w[at]!)));
          const sc = m === 0 ? 1 : f16AtLeast(m / 127);
          scales.push(sc);
          for (const at of idx) deq[at] = f32(Math.round(w[at]! / sc) * sc);
        }
      }
    }
    return { deq, scales };
  }

  it('weight-only int8: block scales, constant dequantization that onnxruntime folds, outputs of the float model with q * s weights', async () => {
    // K = 16 rows of W in blocks of 5 (a partial last block: the Pad / Slice path); E rows [V, K] in blocks of 5 along K.
    const block = 5;
    const { model, weights } = quantizeModel(decodeModel(bytes), { dtype: 'int8', int8Scheme: 'weight-only', blockSize: block });
    expect(weights.map((w) => `${w.name}:${w.op}`)).toEqual(['W:MatMul', 'E:Gather']);
    expect(model.graph.node.every((n) => (n.domain ?? '') === '')).toBe(true);
    expect(new Set(model.graph.node.map((n) => n.opType))).toEqual(new Set(['Cast', 'Pad', 'Reshape', 'Mul', 'Slice', 'MatMul', 'Gather']));
    // |w - q * s| <= s / 2 everywhere (no clipping: scales are rounded up)
    const wq = new Int8Array(model.graph.initializer.find((t) => t.name === 'W')!.rawData.slice().buffer);
    expect(Math.max(...Array.from(wq, Math.abs))).toBeLessThanOrEqual(127);
    const init = new Map(model.graph.initializer.map((t) => [t.name, t]));
    expect(init.get('W')!.dataType).toBe(DataType.INT8);
    expect(init.get('W')!.dims).toEqual([K, N]); // same name and dims as the float weight
    expect(init.get(scaleName('W'))!.dims).toEqual([Math.ceil(K / block), 1, N]);
    expect(init.get(scaleName('E'))!.dims).toEqual([V, Math.ceil(K / block), 1]);
    // stored scales: W's blocks run down each column (outer 1, R = K, inner N); E's along each row (outer V, R = K, inner 1)
    const refW = blockReference(W, 1, K, N, block);
    const refE = blockReference(E, V, K, 1, block);
    const halfs = (t: TensorMsg): number[] => {
      expect(t.dataType).toBe(DataType.FLOAT16);
      return Array.from(new Uint16Array(t.rawData.slice().buffer), f16ToNumber);
    };
    expect(halfs(init.get(scaleName('W'))!)).toEqual(refW.scales);
    expect(halfs(init.get(scaleName('E'))!)).toEqual(refE.scales);
    for (let k = 0; k < K; k++) {
      for (let n = 0; n < N; n++) {
        const sc = refW.scales[Math.floor(k / block) * N + n]!;
        expect(Math.abs(W[k * N + n]! - wq[k * N + n]! * sc)).toBeLessThanOrEqual(sc / 2 + 1e-7);
        expect(wq[k * N + n]! * sc === refW.deq[k * N + n]).toBe(true); // (+0 and -0 alike)
      }
    }

    // onnxruntime folds the dequantization at load: the optimized graph holds only the float MatMul and Gather.
    const qb = encodeModel(model);
    const dir = mkdtempSync(join(tmpdir(), 'isovae-fold-'));
    try {
      const optimized = join(dir, 'optimized.onnx');
      // 'basic' = onnxruntime's constant folding and other hardware-independent rewrites (on by default in every runtime)
      const s = await ort.InferenceSession.create(qb, { logSeverityLevel: 3, graphOptimizationLevel: 'basic', optimizedModelFilePath: optimized });
      await s.release();
      const folded = decodeModel(readFileSync(optimized));
      expect(folded.graph.node.map((n) => n.opType).sort()).toEqual(['Gather', 'MatMul']);
      expect(folded.graph.initializer.every((t) => t.dataType === DataType.FLOAT)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Outputs equal the float model whose weights are the reference q * s values (same kernels, so to float rounding).
    const got = await run(qb);
    const want = await run(tinyModel(refW.deq, refE.deq, K, N, V));
    for (let i = 0; i < want.y.length; i++) expect(Math.abs(got.y[i]! - want.y[i]!), `y[${i}]`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want.y[i]!)));
    expect(Array.from(got.rows)).toEqual(Array.from(want.rows));
    // the default block (16 = K here) is one block per column
    const whole = quantizeModel(decodeModel(bytes), { dtype: 'int8', int8Scheme: 'weight-only' }).model;
    expect(WEIGHT_ONLY_BLOCK).toBe(16);
    expect(whole.graph.initializer.find((t) => t.name === scaleName('W'))!.dims).toEqual([1, 1, N]);
    expect(() => quantizeModel(decodeModel(bytes), { dtype: 'int8', int8Scheme: 'weight-only', blockSize: 0 })).toThrow(/blockSize must be an integer >= 1/);
  });

  it('weight-only int8: a weight read by a Loop body is dequantized in the graph that owns it', async () => {
    const body = accumulateBody();
    const g = makeGraph({
      name: 'g',
      nodes: [makeNode('Loop', ['trip', 'yes', 'zero'], ['y'], 'loop', { body: attr.graph(body) })],
      initializers: [makeTensor('W', 'float32', [K, N], W), makeTensor('zero', 'float32', [B, N], new Float32Array(B * N)), makeTensor('trip', 'int64', [], [2]), makeTensor('yes', 'bool', [], [1])],
      inputs: [makeValueInfo('x', 'float32', ['batch', K])],
      outputs: [makeValueInfo('y', 'float32', ['batch', N])],
    });
    const { model } = quantizeModel(decodeModel(encodeModel(makeModel(g, { producerVersion: 'test' }))), { dtype: 'int8', int8Scheme: 'weight-only' });
    expect(model.graph.node.map((n) => n.opType)).toEqual(['Cast', 'Reshape', 'Cast', 'Mul', 'Reshape', 'Loop']); // K = 16: one block, no padding
    const loopBody = model.graph.node.at(-1)!.attribute[0]!.g!;
    expect(loopBody.node.find((n) => n.opType === 'MatMul')!.input).toEqual(['x', 'W/dequantized']);
    const s = await ort.InferenceSession.create(encodeModel(model), { logSeverityLevel: 3 });
    try {
      const y = (await s.run({ x: new ort.Tensor('float32', x, [B, K]) })).y!.data as Float32Array;
      const { deq } = blockReference(W, 1, K, N, 16);
      for (let b = 0; b < B; b++) {
        for (let n = 0; n < N; n++) {
          let acc = 0;
          for (let k = 0; k < K; k++) acc += x[b * K + k]! * deq[k * N + n]!;
          expect(Math.abs(y[b * N + n]! - 2 * acc)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(acc)));
        }
      }
    } finally {
      await s.release();
    }
  });

  it('leaves shared or excluded weights in float32 and rejects unknown dtypes or damaged weights', () => {
    const { weights } = quantizeModel(decodeModel(bytes), { dtype: 'int8', int8Scheme: 'dynamic', keepFloat: ['W'] });
    expect(weights.map((w) => w.name)).toEqual(['E']);
    expect(() => quantizeModel(decodeModel(bytes), { dtype: 'int4' as 'int8' })).toThrow(/dtype must be "int8" or "fp16"/);
    const bad = tinyModel(W.map((v, i) => (i === 4 ? NaN : v)), E, K, N, V);
    expect(() => quantizeModel(decodeModel(bad), { dtype: 'int8' })).toThrow(/"W": value NaN at index 4/);
  });
});
