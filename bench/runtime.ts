/**
 * `npm run bench:runtime`: speed of the exported graphs on onnxruntime-node through runtime/
 * (the same calls an app makes), one line per figure with its name and unit. Random weights at the
 * paper configuration (V=12,003, E=200, H=512, K=32) and a small one, exported with export/.
 * The EOS logit is pushed down so greedy decoding runs the full length (no early stop).
 * `decoder_step bare` is a plain session.run loop on the same graph (no runtime code): the gap to
 * `greedy` is what the JS decode loop costs. The same figures for the tfjs trainer's model
 * (train/model.ts, wasm backend) follow each config, so the gain of the export is visible.
 *
 * Weight precisions side by side (`--dtypes`, default fp32,int8,int8w,fp16): the fp32 export is converted with
 * export/quantize-dir.ts (random weights, so no accuracy contract), every figure is timed for every variant
 * in the same interleaved rounds, and the model file sizes per variant are printed (bytes, not timings).
 * `int8` is the dynamic int8 scheme (int8 arithmetic), `int8w` weight-only int8 (block scales, folded to
 * float32 at load). fp16 is meant for WebGPU; on the CPU onnxruntime runs its float16 products through casts.
 *
 * Options: --threads <n> (intra-op threads, default 2), --seconds <s> (time budget per figure,
 * default 3), --config paper|small|all (default all), --dtypes <list> (default fp32,int8,int8w,fp16), --skip-tfjs.
 * Each figure is the best of 3 rounds, since the machine may be shared; the header prints the load average.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ort from 'onnxruntime-node';
import type { ModelConfig } from '../core/config.ts';
import { Vocab } from '../core/vocab.ts';
import type { Weights } from '../core/weights.ts';
import { writeModelDir } from '../export/write-model-dir.ts';
import { quantizeModelDir, type QuantizeDirOptions } from '../export/quantize-dir.ts';
import { MODEL_DTYPES, type ModelDtype } from '../core/dtype.ts';
import { readdirSync, statSync } from 'node:fs';
import { Rng } from '../core/rng.ts';
import { randomWeights } from './random-weights.ts';
import { loadModel } from '../runtime/index.ts';

const CONFIGS: Record<string, ModelConfig> = {
  paper: { posterior: 'iso', vocabSize: 12_003, embeddingDim: 200, hiddenDim: 512, latentDim: 32 },
  small: { posterior: 'iso', vocabSize: 2_003, embeddingDim: 64, hiddenDim: 128, latentDim: 16 },
};
const SENTENCE_LEN = 25; // tokens incl. <eos> (issue #3: "length 25")
const DECODE_LEN = 40; // greedy steps per row
const ROUNDS = 3;

// Expose gc() so the memory probe measures live memory only.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** `--probe <dir>` (child process): print {loadMs, rssMb} of loading the model and running it once. */
async function probe(dir: string, threads: number): Promise<void> {
  gc();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const model = await loadModel(dir, { threads, executionProviders: ['cpu'] });
  const loadMs = performance.now() - t0;
  await model.encode([[3, 4, 5, 2]]);
  await model.decode(model.sample(1), { maxLen: 2 });
  gc();
  process.stdout.write(JSON.stringify({ loadMs, rssMb: (process.memoryUsage().rss - rss0) / 2 ** 20 }));
  await model.dispose();
}


/** ms per call of `fn` over about `ms` milliseconds (at least `minRuns` calls). */
async function round(fn: () => Promise<unknown>, ms: number, minRuns: number): Promise<number> {
  let runs = 0;
  const t0 = performance.now();
  while (runs < minRuns || performance.now() - t0 < ms) {
    await fn();
    runs++;
  }
  return (performance.now() - t0) / runs;
}

/**
 * Best (lowest) ms per call of each function over ROUNDS interleaved rounds of about
 * `seconds / ROUNDS` each, after a warm-up: interleaving exposes every candidate to the same load.
 */
async function timeAll(fns: Array<() => Promise<unknown>>, seconds: number, minRuns = 2): Promise<number[]> {
  for (const fn of fns) await fn();
  const best = fns.map(() => Infinity);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < fns.length; i++) best[i] = Math.min(best[i]!, await round(fns[i]!, (seconds * 1000) / ROUNDS, minRuns));
  }
  return best;
}

/** Best ms per call of one function (see `timeAll`). */
async function timeIt(fn: () => Promise<unknown>, seconds: number, minRuns = 2): Promise<number> {
  return (await timeAll([fn], seconds, minRuns))[0]!;
}

const fmt = (v: number, digits = 0): string => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** A benchmarked weight variant: a dtype, or `int8w` (int8, weight-only scheme). */
type Variant = ModelDtype | 'int8w';
const VARIANTS: readonly Variant[] = [...MODEL_DTYPES, 'int8w'];
/** How each variant is made from the fp32 export. */
const QUANTIZE: Record<Exclude<Variant, 'fp32'>, Pick<QuantizeDirOptions, 'dtype' | 'int8Scheme'>> = {
  int8: { dtype: 'int8', int8Scheme: 'dynamic' },
  int8w: { dtype: 'int8', int8Scheme: 'weight-only' },
  fp16: { dtype: 'fp16' },
};

async function benchConfig(name: string, cfg: ModelConfig, threads: number, seconds: number, withTfjs: boolean, dtypes: readonly Variant[]): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), `isovae-bench-${name}-`));
  try {
    const vocab = Vocab.fromWords([...Array.from({ length: cfg.vocabSize - 4 }, (_, i) => `w${i}`), 'unk']);
    const weights = randomWeights(cfg, 1);
    const dirOf = (d: Variant): string => join(root, d);
    await writeModelDir({ model: cfg, weights, maxLen: DECODE_LEN, vocab, command: 'bench/runtime.ts' }, dirOf('fp32'));
    for (const d of dtypes) if (d !== 'fp32') await quantizeModelDir(dirOf('fp32'), dirOf(d), { ...QUANTIZE[d], sentences: null });
    const rng = new Rng(2);
    const rows = Array.from({ length: 128 }, () => [...Array.from({ length: SENTENCE_LEN - 1 }, () => 3 + rng.int(cfg.vocabSize - 3)), 2]);

    for (const d of dtypes) {
      const files = readdirSync(dirOf(d)).filter((f) => f.endsWith('.onnx')).sort();
      const mb = (f: string): string => (statSync(join(dirOf(d), f)).size / 1e6).toFixed(2);
      console.log(`model files ${name} [${d}]: ${files.map((f) => `${f} ${mb(f)} MB`).join(', ')}`);
      // Load time and memory in a fresh process: here the export's freed buffers would be reused.
      const probe = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--probe', dirOf(d), '--threads', String(threads)], { encoding: 'utf8' });
      if (probe.status !== 0) throw new Error(`load probe failed: ${probe.stderr}`);
      const { loadMs, rssMb } = JSON.parse(probe.stdout) as { loadMs: number; rssMb: number };
      console.log(`model load ${name} [${d}]: ${fmt(loadMs)} ms (fresh process: manifest, sha256, checks, 2 sessions)`);
      console.log(`session memory ${name} [${d}]: ${fmt(rssMb)} MB (RSS delta of loadModel + first runs, fresh process)`);
    }
    const models = await Promise.all(dtypes.map((d) => loadModel(dirOf(d), { threads, executionProviders: ['cpu'] })));
    const primitives = await Promise.all(dtypes.map((d) => loadModel(dirOf(d), { threads, executionProviders: ['cpu'], useFusedEncoder: false })));
    const encoders = [...models, ...primitives];
    const encMs = await timeAll(encoders.map((m) => () => m.encode(rows, { batchSize: 128 })), seconds, 3);
    encoders.forEach((m, i) => {
      console.log(`encode ${name} b128 [${dtypes[i % dtypes.length]}] (${m.fusedEncoder ? 'fused LSTM encoder' : 'primitive encoder'}): ${fmt(128 / (encMs[i]! / 1000))} sentences/s`);
    });
    for (const m of primitives) await m.dispose();

    const bare = await Promise.all(dtypes.map((d) => ort.InferenceSession.create(readFileSync(join(dirOf(d), 'decoder_step.onnx')), { executionProviders: ['cpu'], intraOpNumThreads: threads, graphOptimizationLevel: 'all' })));
    for (const b of [1, 128]) {
      const z = models[0]!.sample(b, { seed: b });
      const ms = await timeAll([...models.map((m) => () => m.decode(z, { maxLen: DECODE_LEN })), ...bare.map((s) => () => bareDecode(s, cfg, b))], seconds);
      dtypes.forEach((d, i) => {
        const [run, raw] = [ms[i]!, ms[dtypes.length + i]!];
        if (b === 1) {
          console.log(`greedy ${name} b1 [${d}]: ${fmt(run / DECODE_LEN, 3)} ms/token`);
          console.log(`decoder_step bare ${name} b1 [${d}]: ${fmt(raw / DECODE_LEN, 3)} ms/step (session.run loop, no runtime code)`);
        } else {
          console.log(`greedy ${name} b128 [${d}]: ${fmt((b * DECODE_LEN) / (run / 1000))} tokens/s`);
          console.log(`decoder_step bare ${name} b128 [${d}]: ${fmt((b * DECODE_LEN) / (raw / 1000))} tokens/s (session.run loop, no runtime code)`);
        }
      });
    }
    for (const s of bare) await s.release();
    for (const m of models) await m.dispose();
    if (withTfjs) await tfjsFigures(name, cfg, weights, rows, seconds);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** One DECODE_LEN-step greedy loop of bare session.run calls (state fed back, argmax from the graph). */
async function bareDecode(session: ort.InferenceSession, cfg: ModelConfig, b: number): Promise<void> {
  const { hiddenDim: H, latentDim: K } = cfg;
  const z = new ort.Tensor('float32', new Float32Array(b * K).fill(0.5), [b, K]);
  let token = new ort.Tensor('int32', new Int32Array(b).fill(1), [b]);
  let h = new ort.Tensor('float32', new Float32Array(b * H), [b, H]);
  let c = h;
  for (let t = 0; t < DECODE_LEN; t++) {
    const r = await session.run({ token, z, h, c }, ['next_token', 'h_out', 'c_out']);
    [token, h, c] = [r.next_token!, r.h_out!, r.c_out!] as [typeof token, typeof h, typeof c];
  }
}

/** The same figures for the tfjs model (train/model.ts) on the wasm backend, loaded lazily. */
async function tfjsFigures(name: string, cfg: ModelConfig, weights: Weights, rows: number[][], seconds: number): Promise<void> {
  const tf = await import('@tensorflow/tfjs-core');
  const { initBackend } = await import('../train/backend.ts');
  const { TfModel, padBatch } = await import('../train/model.ts');
  const backend = await initBackend('wasm');
  const model = new TfModel(cfg, weights);
  try {
    const tokens = padBatch(rows);
    const encMs = await timeIt(async () => {
      const { mean, logvar } = model.encode(tokens);
      await mean.data();
      tf.dispose([mean, logvar ?? mean]);
    }, seconds);
    console.log(`tfjs ${backend} encode ${name} b128: ${fmt(128 / (encMs / 1000))} sentences/s`);
    const z1 = tf.randomNormal([1, cfg.latentDim]) as import('@tensorflow/tfjs-core').Tensor2D;
    const ms1 = await timeIt(async () => model.greedyDecode(z1, DECODE_LEN), seconds);
    console.log(`tfjs ${backend} greedy ${name} b1: ${fmt(ms1 / DECODE_LEN, 3)} ms/token`);
    const z128 = tf.randomNormal([128, cfg.latentDim]) as import('@tensorflow/tfjs-core').Tensor2D;
    const ms128 = await timeIt(async () => model.greedyDecode(z128, DECODE_LEN), seconds, 1);
    console.log(`tfjs ${backend} greedy ${name} b128: ${fmt((128 * DECODE_LEN) / (ms128 / 1000))} tokens/s`);
    tf.dispose([tokens, z1, z128]);
  } finally {
    model.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      threads: { type: 'string', default: '2' },
      seconds: { type: 'string', default: '3' },
      config: { type: 'string', default: 'all' },
      'skip-tfjs': { type: 'boolean', default: false },
      dtypes: { type: 'string', default: VARIANTS.join(',') },
      probe: { type: 'string' },
    },
  });
  if (values.probe !== undefined) return probe(values.probe, Number(values.threads));
  const threads = Number(values.threads);
  const seconds = Number(values.seconds);
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`--threads must be an integer >= 1 (got "${values.threads}").`);
  if (!(seconds > 0)) throw new RangeError(`--seconds must be > 0 (got "${values.seconds}").`);
  const names = values.config === 'all' ? Object.keys(CONFIGS) : [values.config];
  const dtypes = values.dtypes.split(',') as Variant[];
  for (const d of dtypes) if (!VARIANTS.includes(d)) throw new RangeError(`--dtypes: unknown variant "${d}" (valid: ${VARIANTS.join(', ')}).`);
  const load = loadavg().map((v) => v.toFixed(2)).join(' ');
  console.log(`# bench:runtime: onnxruntime-node ${ort.env.versions.node ?? ''} cpu, ${threads} intra-op threads, sentence length ${SENTENCE_LEN}, ${DECODE_LEN} greedy steps; load average ${load}`);
  for (const name of names) {
    const cfg = CONFIGS[name];
    if (!cfg) throw new RangeError(`--config must be paper, small or all (got "${name}").`);
    await benchConfig(name, cfg, threads, seconds, !values['skip-tfjs'], dtypes);
  }
}

await main();
