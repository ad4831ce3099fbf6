/**
 * `npm run bench:train`: training throughput of each engine, one line per configuration and engine:
 *   paper ort: 4,321 tokens/s (0.74 s/step, ...), peak RSS 1,234 MB, ort-cpu (2 threads)
 *   paper tfjs w2: 907 tokens/s (...)
 * Synthetic batches of random word ids at a fixed length (no padding), whole optimiser steps through the trainer's
 * engine seam (train/engine.ts): forward, hand-written backward, Keras Adam. Each (configuration, engine) runs in its
 * own child process so that its peak RSS is its own. Step 0 is a warm-up and is not timed.
 * `--profile` adds, for the ort engine, a per-phase profile of one step from onnxruntime's node timings plus the host
 * phases (batch layout and feeds, run overhead incl. output copies, Adam).
 * `--rounds n` measures every (configuration, engine) n times, interleaved, and ends with the median of each: on a
 * shared machine whose speed drifts, interleaving keeps the engines' ratio fair.
 * Default timed steps: paper 4, small 40 (profiles: at most 8).
 * Usage: npm run bench:train [-- --only paper --engines ort,tfjs-w1,tfjs-w2 --steps 4 --rounds 3 --profile]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveTrainConfig, type ModelConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { weightShapes, type WeightName } from '../core/weights.ts';
import { createTrainEngine } from '../train/engine.ts';
import { HostAdam } from '../train/host-adam.ts';
import { initWeights } from '../train/init.ts';
import { buildStepGraph, type StepPhase } from '../train/ort/step-graph.ts';
import { OrtStepSessions } from '../train/ort/step-session.ts';

/** `steps`: timed steps by default (enough for a few seconds of the faster engine; `--steps` overrides). */
interface BenchConfig { name: string; model: ModelConfig; batch: number; length: number; steps: number }
const CONFIGS: BenchConfig[] = [
  { name: 'paper', model: { posterior: 'iso', vocabSize: 12003, embeddingDim: 200, hiddenDim: 512, latentDim: 32 }, batch: 128, length: 25, steps: 4 },
  { name: 'small', model: { posterior: 'iso', vocabSize: 5003, embeddingDim: 64, hiddenDim: 128, latentDim: 32 }, batch: 64, length: 20, steps: 40 },
];
const ENGINES = ['ort', 'tfjs-w1', 'tfjs-w2'] as const;

const { values } = parseArgs({
  options: {
    only: { type: 'string' }, steps: { type: 'string' }, engines: { type: 'string', default: 'ort,tfjs-w2' },
    backend: { type: 'string', default: 'wasm' }, threads: { type: 'string', default: '0' }, profile: { type: 'boolean' },
    child: { type: 'string' }, rounds: { type: 'string', default: '1' },
  },
});
/** Timed steps of a configuration (`--steps` or the configuration's default). */
const stepsOf = (bc: BenchConfig) => (values.steps === undefined ? bc.steps : Number(values.steps));

/** Random full-length rows (words then EOS) and noise for one batch. */
function batchOf(bc: BenchConfig, rng: Rng) {
  const rows = Array.from({ length: bc.batch }, () => {
    const r = new Int32Array(bc.length);
    for (let t = 0; t < bc.length - 1; t++) r[t] = 3 + Math.floor(rng.next() * (bc.model.vocabSize - 3));
    r[bc.length - 1] = 2;
    return r;
  });
  return { rows, eps: new Float32Array(bc.batch * bc.model.latentDim).map(() => rng.normal()) };
}

/** One (configuration, engine) measurement in this process; prints its line. */
async function measure(bc: BenchConfig, engineName: (typeof ENGINES)[number]): Promise<void> {
  const rng = new Rng(0);
  const workers = engineName === 'tfjs-w2' ? 2 : 1;
  const cfg = resolveTrainConfig({ source: 'bench', values: { engine: engineName === 'ort' ? 'ort' : 'tfjs', workers, backend: values.backend, threads: Number(values.threads), lr: 5e-4 } });
  const engine = await createTrainEngine(cfg, bc.model, { weights: initWeights(bc.model, rng), optimizer: null, log: (l) => console.error(l) });
  let tokens = 0;
  let seconds = 0;
  const steps = stepsOf(bc);
  for (let s = 0; s <= steps; s++) {
    const { rows, eps } = batchOf(bc, rng);
    const t0 = performance.now();
    const stats = await engine.step(rows, { cT: 5, beta: 1, eps });
    const dt = (performance.now() - t0) / 1000;
    if (s > 0) { tokens += stats.tokens; seconds += dt; }
  }
  const label = engine.label;
  await engine.dispose();
  const { batch: B, length: T, model: m } = bc;
  console.log(
    `${bc.name} ${engineName.replace('-', ' ')}: ${Math.round(tokens / seconds).toLocaleString('en-US')} tokens/s (${(seconds / steps).toFixed(3)} s/step, ` +
      `B=${B} T=${T} E=${m.embeddingDim} H=${m.hiddenDim} K=${m.latentDim} V=${m.vocabSize}), ` +
      `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1e3).toLocaleString('en-US')} MB, ${label}`,
  );
}

/** Per-phase profile of one ort step (after warm-up): onnxruntime node timings by phase, plus host phases. */
async function profile(bc: BenchConfig): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'isovae-profile-'));
  const rng = new Rng(0);
  const sessions = await OrtStepSessions.create(bc.model, { threads: Number(values.threads), profile: join(dir, 'step') });
  const init = initWeights(bc.model, new Rng(1));
  const params = new Map(weightShapes(bc.model).map(([n]) => [n, init[n]!.data] as [WeightName, Float32Array]));
  const adam = new HostAdam(params, { lr: 5e-4, beta1: 0.9, beta2: 0.999, eps: 1e-7 });
  const host = { run: 0, adam: 0, n: 0 };
  for (let s = 0; s <= Math.min(stepsOf(bc), 8); s++) {
    const { rows, eps } = batchOf(bc, rng);
    const t0 = performance.now();
    const out = await sessions.gradients(params, rows, { eps, cT: 5, beta: 1 });
    const t1 = performance.now();
    adam.apply(params, out.grads);
    const t2 = performance.now();
    if (s > 0) { host.run += t1 - t0; host.adam += t2 - t1; host.n++; }
  }
  sessions.endProfiling();
  await sessions.release();
  const file = readdirSync(dir).find((f) => f.endsWith('.json'))!;
  type Ev = { cat?: string; name: string; dur: number; ts: number; args?: { op_name?: string } };
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Ev[];
  rmSync(dir, { recursive: true, force: true });
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').slice(1); // drop the warm-up run
  const phases: Array<{ phase: StepPhase; from: number; to: number }> = [];
  buildStepGraph(bc.model, { phases });
  const phaseOf = (n: number) => phases.find((p) => n >= p.from && n < p.to)?.phase ?? 'embedding backward';
  const perPhase = new Map<string, number>();
  let kernels = 0;
  for (const e of events) {
    const m = /^train_step\/([A-Za-z]+)_(\d+)(?:\/\w+)?_kernel_time$/.exec(e.name); // top-level nodes only (scan bodies are inside their Scan)
    if (e.cat !== 'Node' || !m || !runs.some((r) => e.ts >= r.ts && e.ts <= r.ts + r.dur)) continue;
    const ph = phaseOf(Number(m[2]));
    perPhase.set(ph, (perPhase.get(ph) ?? 0) + e.dur / 1000);
    kernels += e.dur / 1000;
  }
  const n = host.n;
  const runMs = host.run / n;
  console.log(`profile of one ${bc.name} ort step (mean of ${n} steps; onnxruntime node times by phase, then host):`);
  const order = [...new Set(phases.map((p) => p.phase))].filter((p) => perPhase.has(p));
  for (const ph of order) console.log(`  ${ph.padEnd(22)} ${(perPhase.get(ph)! / n).toFixed(1).padStart(8)} ms`);
  console.log(`  ${'graph total (kernels)'.padEnd(22)} ${(kernels / n).toFixed(1).padStart(8)} ms`);
  console.log(`  ${'data movement'.padEnd(22)} ${(runMs - kernels / n).toFixed(1).padStart(8)} ms  (batch layout, feeds, onnxruntime run overhead, output copies)`);
  console.log(`  ${'optimiser (host Adam)'.padEnd(22)} ${(host.adam / n).toFixed(1).padStart(8)} ms`);
  console.log(`  ${'step'.padEnd(22)} ${((host.run + host.adam) / n).toFixed(1).padStart(8)} ms`);
}

const selected = CONFIGS.filter((c) => !values.only || values.only.split(',').includes(c.name));
if (values.child) {
  const [name, engine] = values.child.split(':') as [string, (typeof ENGINES)[number] | 'profile'];
  const bc = CONFIGS.find((c) => c.name === name)!;
  if (engine === 'profile') await profile(bc);
  else await measure(bc, engine);
} else {
  const engines = values.engines!.split(',');
  for (const e of engines) if (!(ENGINES as readonly string[]).includes(e)) throw new RangeError(`--engines: unknown engine "${e}"; use ${ENGINES.join(', ')}.`);
  const self = process.argv[1]!;
  const pass = [...(values.steps === undefined ? [] : ['--steps', values.steps]), '--backend', values.backend!, '--threads', values.threads!];
  const rounds = Number(values.rounds);
  const results = new Map<string, number[]>();
  const child = (job: string) => execFileSync(process.execPath, [...process.execArgv, self, '--child', job, ...pass], { stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  for (let r = 0; r < rounds; r++) {
    for (const bc of selected) {
      for (const e of engines) {
        const line = child(`${bc.name}:${e}`);
        process.stdout.write(line);
        const tps = Number(/: ([\d,]+) tokens\/s/.exec(line)?.[1]?.replace(/,/g, ''));
        const key = `${bc.name} ${e.replace('-', ' ')}`;
        results.set(key, [...(results.get(key) ?? []), tps]);
      }
    }
  }
  if (values.profile) for (const bc of selected) process.stdout.write(child(`${bc.name}:profile`));
  if (rounds > 1) {
    console.log(`median of ${rounds} interleaved rounds:`);
    for (const [key, v] of results) {
      const sorted = [...v].sort((a, b) => a - b);
      console.log(`  ${key}: ${Math.round(sorted[Math.floor(sorted.length / 2)]!).toLocaleString('en-US')} tokens/s (runs: ${v.map((x) => x.toLocaleString('en-US')).join(', ')})`);
    }
  }
}
