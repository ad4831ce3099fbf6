import * as ort from 'onnxruntime-node';
import { GraphBuilder } from './onnx/graph-builder.ts';
import { attr, encodeModel, makeModel, makeValueInfo } from './onnx/builder.ts';
const [N, H, V] = (process.env.DIMS ?? '3200,512,12003').split(',').map(Number) as [number, number, number];
const FL = 2 * N * H * V;
async function bench(label: string, build: (g: GraphBuilder) => string, inputs: Record<string, number[]>) {
  const g = new GraphBuilder('m');
  const out = build(g);
  g.op1('ReduceSum', [out], { keepdims: attr.int(0) }, 'y');
  const ins = Object.entries(inputs).map(([n, d]) => makeValueInfo(n, 'float32', d));
  const bytes = encodeModel(makeModel(g.build('g', ins, [makeValueInfo('y', 'float32', [])]), { producerVersion: 'x' }));
  const s = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 2, graphOptimizationLevel: 'all' });
  const feeds: Record<string, ort.Tensor> = {};
  for (const [n, d] of Object.entries(inputs)) feeds[n] = new ort.Tensor('float32', new Float32Array(d.reduce((a, b) => a * b, 1)).map(() => Math.random() - 0.5), d);
  await s.run(feeds);
  const ts: number[] = [];
  for (let i = 0; i < 5; i++) { const t0 = performance.now(); await s.run(feeds); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  const ms = ts[2]!;
  console.log(label.padEnd(50), ms.toFixed(1), 'ms', (FL / ms / 1e6).toFixed(0), 'GFLOP/s', `(min ${ts[0]!.toFixed(0)})`);
  await s.release();
}
const t = (x: number) => attr.int(x);
const which = (process.env.ONLY ?? 'all');
if (which === 'all' || which === 'out') {
await bench('fwd logits = h W  (MatMul)', (g) => g.op1('MatMul', ['h', 'w']), { h: [N, H], w: [H, V] });
await bench('fwd logits = h W  (Gemm)', (g) => g.op1('Gemm', ['h', 'w']), { h: [N, H], w: [H, V] });
await bench('fwd logits = h WT^T (Gemm tB)', (g) => g.op1('Gemm', ['h', 'wt'], { transB: t(1) }), { h: [N, H], wt: [V, H] });
await bench('dW = h^T p  Gemm tA', (g) => g.op1('Gemm', ['h', 'p'], { transA: t(1) }), { h: [N, H], p: [N, V] });
await bench('dW = Transpose(h) p  MatMul', (g) => g.op1('MatMul', [g.op1('Transpose', ['h']), 'p']), { h: [N, H], p: [N, V] });
await bench('dWT = p^T h  Gemm tA', (g) => g.op1('Gemm', ['p', 'h'], { transA: t(1) }), { h: [N, H], p: [N, V] });
await bench('dh = p W^T  Gemm tB', (g) => g.op1('Gemm', ['p', 'w'], { transB: t(1) }), { p: [N, V], w: [H, V] });
await bench('dh = p WT   MatMul', (g) => g.op1('MatMul', ['p', 'wt']), { p: [N, V], wt: [V, H] });
}
if (which === 'all' || which === 'rec') {
  const FLR = 2 * 25 * 128 * 2048 * 512;
  const sl = (g: GraphBuilder, x: string, i: number) => g.op1('Slice', [x, g.init(`s${i}`, 'int64', [1], [i * 128]), g.init(`e${i}`, 'int64', [1], [(i + 1) * 128]), g.init(`a${i}`, 'int64', [1], [0])]);
  const rec = (label: string, f: (g: GraphBuilder, x: string) => string, inputs: Record<string, number[]>) => bench(label + ` [${(FLR / 1e9).toFixed(1)} GFLOP]`, (g) => { let acc = ''; for (let i = 0; i < 25; i++) { const y = f(g, sl(g, 'x', i)); acc = acc ? g.op1('Add', [acc, y]) : y; } return acc; }, inputs);
  await rec('rec bwd MatMul(da, UT)', (g, x) => g.op1('MatMul', [x, 'ut']), { x: [3200, 2048], ut: [2048, 512] });
  await rec('rec bwd Gemm(da, U, tB)', (g, x) => g.op1('Gemm', [x, 'u'], { transB: t(1) }), { x: [3200, 2048], u: [512, 2048] });
  const slc = (g: GraphBuilder, x: string, i: number) => g.op1('Slice', [x, g.init(`cs${i}`, 'int64', [1], [i * 128]), g.init(`ce${i}`, 'int64', [1], [(i + 1) * 128]), g.init(`ca${i}`, 'int64', [1], [1])]);
  await bench('rec bwd transposed MatMul(U, daT)', (g) => { let acc = ''; for (let i = 0; i < 25; i++) { const y = g.op1('MatMul', ['u', slc(g, 'xt', i)]); acc = acc ? g.op1('Add', [acc, y]) : y; } return acc; }, { xt: [2048, 3200], u: [512, 2048] });
  await rec('rec fwd MatMul(h, U)', (g, x) => g.op1('MatMul', [x, 'u']), { x: [3200, 512], u: [512, 2048] });
}
