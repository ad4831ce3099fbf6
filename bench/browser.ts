/**
 * `npm run bench:browser`: speed of the web demo's runtime in headless Chromium (Debian's chromium,
 * playwright-core) for WASM 1 thread, WASM threaded (cross-origin isolated page) and WebGPU on the
 * SwiftShader *software* adapter (a CPU emulation of a GPU: a correctness path, not GPU speed).
 *
 * Figures per mode, each in a fresh browser profile:
 * - cold load: navigation start -> model ready (ORT .wasm download + compile, model download,
 *   sha256 checks, session creation), empty caches; then `cached load` after a reload (Cache API);
 * - warm greedy ms/token: batch-1 greedy decoding of prior samples after one warm-up run;
 * - encode sentences/s: batches of 64 sentences of 24 words (+ <eos>).
 *
 * Model: `--model <dir>` (an exported model directory), default random weights at the paper
 * configuration (V=12,003, E=200, H=512, K=32) exported with export/, <eos> suppressed so every
 * decode runs `maxLen` = 40 steps. Options: --reps <n> (default 5), --modes wasm1,wasm,webgpu,
 * --dtypes fp32,int8,fp16 (default all): every mode runs every weight precision (the int8 / fp16 variants are
 * made with export/quantize-dir.ts, as the shipped models are; --scheme weight-only|dynamic picks the int8 scheme,
 * default weight-only as shipped), each in a fresh browser profile. The demo
 * picks what can run: fp16 needs WebGPU with shader-f16, so where the adapter lacks it (SwiftShader) or on
 * WASM the row says it fell back to fp32 and is not timed again.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ModelConfig } from '../core/config.ts';
import { Vocab } from '../core/vocab.ts';
import { writeModelDir } from '../export/write-model-dir.ts';
import { parseInt8Flags } from '../cli/accuracy-flags.ts';
import { quantizeModelDir } from '../export/quantize-dir.ts';
import { MODEL_DTYPES, type ModelDtype } from '../core/dtype.ts';
import { Rng } from '../core/rng.ts';
import { randomWeights } from './random-weights.ts';
import { buildDemo, launch, serveDemo, type Gpu } from '../test/browser/harness.ts';

const PAPER: ModelConfig = { posterior: 'iso', vocabSize: 12_003, embeddingDim: 200, hiddenDim: 512, latentDim: 32 };
// SwiftShader emulates the GPU on the CPU and is seconds per token at paper size: its workload is
// cut (fewer sentences per encode batch, fewer decode steps, 2 reps) to keep the run bounded.
const MODES: Record<string, { query: string; gpu: Gpu; label: string; batch: number; steps: number; reps?: number }> = {
  wasm1: { query: 'ep=wasm&threads=1', gpu: 'none', label: 'WASM, 1 thread', batch: 64, steps: 40 },
  wasm: { query: 'ep=wasm', gpu: 'none', label: 'WASM, threaded', batch: 64, steps: 40 },
  webgpu: { query: 'ep=webgpu', gpu: 'swiftshader', label: 'WebGPU (SwiftShader software adapter)', batch: 8, steps: 6, reps: 2 },
};


const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const { values } = parseArgs({ options: { model: { type: 'string' }, reps: { type: 'string', default: '5' }, modes: { type: 'string', default: 'wasm1,wasm,webgpu' }, dtypes: { type: 'string', default: 'fp32,int8,fp16' }, scheme: { type: 'string' } } });
const dtypes = values.dtypes.split(',') as ModelDtype[];
for (const d of dtypes) if (!MODEL_DTYPES.includes(d)) throw new RangeError(`--dtypes: unknown dtype "${d}" (valid: ${MODEL_DTYPES.join(', ')})`);
const reps = Math.max(2, Number(values.reps));
const work = mkdtempSync(join(tmpdir(), 'isovae-bench-browser-'));
try {
  const models = join(work, 'models');
  const dir = join(models, 'bench');
  mkdirSync(models, { recursive: true });
  let words: string[];
  if (values.model) {
    cpSync(values.model, dir, { recursive: true });
    words = ['the', 'a', 'of', 'and', 'to', 'in', 'it', 'was'];
  } else {
    const vocab = Vocab.fromWords([...Array.from({ length: PAPER.vocabSize - 4 }, (_, i) => `w${i}`), 'unk']);
    await writeModelDir({ model: PAPER, weights: randomWeights(PAPER, 1), maxLen: 40, vocab, command: 'bench/browser.ts' }, dir, { fusedEncoder: false });
    words = vocab.words.slice(3, 1003) as string[];
  }
  const variants = dtypes.filter((d) => d !== 'fp32') as Array<'int8' | 'fp16'>;
  // The demo serves one int8 directory; --scheme picks which int8 scheme it holds (default weight-only, as shipped).
  const { int8Scheme } = parseInt8Flags('bench:browser', { scheme: values.scheme }, 'int8');
  for (const d of variants) await quantizeModelDir(dir, join(dir, d), { dtype: d, sentences: null, fusedEncoder: false, ...(d === 'int8' ? { int8Scheme } : {}) });
  writeFileSync(join(models, 'index.json'), JSON.stringify({ models: [{ dir: 'bench', title: values.model ? basename(values.model) : 'paper-size, random weights', dtypes: variants }] }));
  const rng = new Rng(3);
  const texts = Array.from({ length: 64 }, () => Array.from({ length: 24 }, () => words[Math.floor(rng.next() * words.length)]!).join(' '));

  const out = join(work, 'dist');
  await buildDemo(out, models);
  const server = await serveDemo(out);
  const rows: string[] = [];
  try {
    for (const key of values.modes.split(',')) for (const dtype of dtypes) {
      const mode = MODES[key];
      if (!mode) throw new RangeError(`--modes: unknown mode "${key}" (valid: ${Object.keys(MODES).join(', ')})`);
      const b = await launch(mode.gpu);
      try {
        const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
        const open = async (): Promise<{ readyAt: number; provider: string; threads: number; dtype: string }> => {
          await page.goto(`${server.url}?${mode.query}&run=0&dtype=${dtype}`);
          await page.waitForFunction(() => window.isovaeDemo?.state().ready || window.isovaeDemo?.state().error, null, { timeout: 180_000 });
          const st = await page.evaluate(() => window.isovaeDemo!.state());
          if (st.error) throw new Error(`${mode.label}: ${st.error}`);
          return { readyAt: st.models[0]!.readyAt, provider: st.provider, threads: st.threads, dtype: st.models[0]!.dtype };
        };
        const cold = await open();
        if (cold.dtype !== dtype) {
          rows.push(`| ${mode.label} [${cold.provider}] | ${dtype}: not run here, the demo falls back to ${cold.dtype} (fp16 needs WebGPU with shader-f16) | | | | | |`);
          console.error(rows.at(-1));
          continue;
        }
        const cached = await open();
        const batch = texts.slice(0, mode.batch);
        const n = Math.min(reps, mode.reps ?? reps);
        const r = await page.evaluate(([t, k, s]) => window.isovaeDemo!.bench('bench', t, k, s), [batch, n + 1, mode.steps] as const);
        // Rep 0 is the warm-up (buffer allocation, shader compilation): excluded.
        const dec = r.decodeMs.slice(1).reduce((a, v) => a + v, 0) / r.decodeTokens.slice(1).reduce((a, v) => a + v, 0);
        const enc = batch.length / (median(r.encodeMs.slice(1)) / 1000);
        const what = `${mode.label} [${cold.provider}${cold.provider === 'wasm' ? ` x${cold.threads}` : ''}] ${cold.dtype}`;
        const load = `${(cold.readyAt / 1000).toFixed(2)} s | ${(cached.readyAt / 1000).toFixed(2)} s`;
        rows.push(`| ${what} | ${load} | ${dec.toFixed(2)} (${mode.steps} steps) | ${enc.toFixed(1)} (batch ${batch.length}) | ${n} | ${r.encodeMs[0]!.toFixed(0)} / ${r.decodeMs[0]!.toFixed(0)} ms |`);
        console.error(rows.at(-1));
      } finally {
        await b.close();
      }
    }
  } finally {
    await server.close();
  }
  console.log(`\nBrowser runtime, headless Chromium (${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load avg ${loadavg()[0]!.toFixed(2)}), model: ${values.model ?? 'paper size (V=12,003, E=200, H=512, K=32), random weights'}; reps after 1 warm-up; medians of encodes, total time / tokens for decoding.\n`);
  console.log('| mode | cold load | cached load | warm greedy ms/token (batch 1) | encode sentences/s (25 tokens each) | reps | first encode / decode (warm-up) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
} finally {
  rmSync(work, { recursive: true, force: true });
}
