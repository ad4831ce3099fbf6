/**
 * `npm run bench:serve`: load test of `isovae serve` on loopback (127.0.0.1 only) with autocannon.
 * Random weights at the paper configuration (V=12,003, E=200, H=512, K=32; bench/random-weights.ts,
 * the EOS logit pushed down so reconstructions decode the full maxLen), sentences of 24 words + <eos>.
 *
 * Prints, in one run:
 * - the in-process reference: `model.encode` at batch 128 (sentences/s, best of 3 rounds), and at batch 64 for context;
 * - for /v1/embeddings and /v1/reconstruct, one sentence per request, at 1, 16 and 64 concurrent
 *   clients: requests/s, sentences/s, p50/p99 latency, errors (connection errors + non-2xx) and the
 *   server's peak RSS;
 * - the ratio embeddings sentences/s at 64 clients / in-process batch-128 figure (target >= 70%);
 * - a soak: embeddings at 64 clients for --soak seconds, server RSS sampled every second (start,
 *   end, max, slope MB/min: "flat" means no growth beyond noise).
 * The server runs in a child process (`isovae serve`), the load generator here; both share the CPU.
 *
 * Options: --config paper|small (default paper), --seconds <s> per load run (default 10),
 * --clients <list> (default 1,16,64), --soak <s> (default 60; 0 skips), --threads <n> (onnxruntime
 * intra-op threads of the server and the in-process figure, default 2), --max-batch <n> (default 128).
 * Every run is bounded: autocannon stops after --seconds, the soak after --soak.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import type { ModelConfig } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { Vocab } from '../core/vocab.ts';
import { writeModelDir } from '../export/write-model-dir.ts';
import { loadModel } from '../runtime/index.ts';
import { randomWeights } from './random-weights.ts';

const CONFIGS: Record<string, ModelConfig> = {
  paper: { posterior: 'iso', vocabSize: 12_003, embeddingDim: 200, hiddenDim: 512, latentDim: 32 },
  small: { posterior: 'iso', vocabSize: 2_003, embeddingDim: 64, hiddenDim: 128, latentDim: 16 },
};
const SENTENCE_WORDS = 24; // + <eos> = 25 tokens, as bench:runtime
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const fmt = (v: number, digits = 0): string => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Resident set size and its peak (VmHWM) of a process, MB, from /proc (Linux). */
function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Start `isovae serve` on 127.0.0.1 with a free port; resolves with its URL. */
async function startServer(dir: string, threads: number, maxBatch: number): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/isovae.mjs'), 'serve', `bench=${dir}`, '--host', '127.0.0.1', '--port', '0',
    '--threads', String(threads), '--max-batch', String(maxBatch), '--max-queue', '4096'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8');
  const url = await new Promise<string>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`isovae serve did not start within 120 s:\n${out}`)), 120_000);
    child.stdout!.on('data', (d: string) => {
      out += d;
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]!);
      }
    });
    child.once('exit', (code) => rej(new Error(`isovae serve exited with ${code}:\n${out}`)));
  });
  return { child, url };
}

/** Best sentences/s of in-process model.encode at batch 128 over 3 rounds of `seconds / 3`. */
async function inProcessEncode(dir: string, rows: number[][], threads: number, seconds: number, batchSize = 128): Promise<number> {
  const model = await loadModel(dir, { threads, executionProviders: ['cpu'] });
  try {
    await model.encode(rows, { batchSize });
    let best = 0;
    for (let r = 0; r < 3; r++) {
      let n = 0;
      const t0 = performance.now();
      while (performance.now() - t0 < (seconds * 1000) / 3) {
        await model.encode(rows, { batchSize });
        n += rows.length;
      }
      best = Math.max(best, n / ((performance.now() - t0) / 1000));
    }
    return best;
  } finally {
    await model.dispose();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      config: { type: 'string', default: 'paper' },
      seconds: { type: 'string', default: '10' },
      clients: { type: 'string', default: '1,16,64' },
      soak: { type: 'string', default: '60' },
      threads: { type: 'string', default: '2' },
      'max-batch': { type: 'string', default: '128' },
    },
  });
  const cfg = CONFIGS[values.config];
  if (!cfg) throw new RangeError(`--config must be paper or small (got "${values.config}").`);
  const seconds = Number(values.seconds);
  const soak = Number(values.soak);
  const threads = Number(values.threads);
  const maxBatch = Number(values['max-batch']);
  const clients = values.clients.split(',').map(Number);
  if (!(seconds > 0) || !(soak >= 0) || !Number.isInteger(threads) || threads < 1 || !Number.isInteger(maxBatch) || maxBatch < 1 || !clients.every((c) => Number.isInteger(c) && c >= 1)) {
    throw new RangeError('bench:serve: --seconds > 0, --soak >= 0, --threads >= 1, --max-batch >= 1 and --clients a list of integers >= 1.');
  }

  const dir = mkdtempSync(join(tmpdir(), 'isovae-bench-serve-'));
  let server: { child: ChildProcess; url: string } | null = null;
  try {
    const words = [...Array.from({ length: cfg.vocabSize - 4 }, (_, i) => `w${i}`), 'unk'];
    await writeModelDir({ model: cfg, weights: randomWeights(cfg, 1), maxLen: SENTENCE_WORDS + 1, vocab: Vocab.fromWords(words), command: 'bench/serve.ts' }, dir);
    const rng = new Rng(3);
    const sentence = (): string => Array.from({ length: SENTENCE_WORDS }, () => words[rng.int(words.length - 1)]!).join(' ');
    const rows = Array.from({ length: 128 }, () => [...Array.from({ length: SENTENCE_WORDS }, () => 3 + rng.int(cfg.vocabSize - 4)), 2]);

    console.log(`# bench:serve: ${values.config} model (V=${cfg.vocabSize}, H=${cfg.hiddenDim}, K=${cfg.latentDim}), ${SENTENCE_WORDS + 1}-token sentences, ` +
      `${threads} intra-op threads, max batch ${maxBatch}, ${seconds} s per run, loopback; load average ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
    const reference = await inProcessEncode(dir, rows, threads, Math.max(3, seconds / 2));
    console.log(`in-process encode b128: ${fmt(reference)} sentences/s`);
    // 64 clients with one sentence each can never form a batch above 64: the in-process b64 figure is their ceiling.
    const reference64 = await inProcessEncode(dir, rows, threads, Math.max(3, seconds / 2), 64);
    console.log(`in-process encode b64: ${fmt(reference64)} sentences/s (context: the largest batch 64 one-sentence clients can form)`);

    server = await startServer(dir, threads, maxBatch);
    const pid = server.child.pid!;
    const results: Record<string, number> = {};
    for (const route of ['embeddings', 'reconstruct'] as const) {
      for (const c of clients) {
        const body = JSON.stringify({ model: 'bench', input: sentence() });
        const r = await autocannon({ url: `${server.url}/v1/${route}`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: c, duration: seconds, timeout: 60 });
        const ok = r.requests.total - r.non2xx;
        const rps = ok / r.duration;
        results[`${route}@${c}`] = rps;
        const mem = rssOf(pid);
        console.log(`${route} ${c} clients: ${fmt(rps, 1)} requests/s, ${fmt(rps, 1)} sentences/s, p50 ${fmt(r.latency.p50, 1)} ms, p99 ${fmt(r.latency.p99, 1)} ms, ` +
          `errors ${r.errors + r.non2xx} (connection ${r.errors}, non-2xx ${r.non2xx}), server peak RSS ${fmt(mem.peak)} MB`);
      }
    }
    const top = Math.max(...clients);
    const at = results[`embeddings@${top}`];
    if (at !== undefined) console.log(`embeddings ${top} clients / in-process b128 encode: ${fmt((100 * at) / reference, 1)}% (target >= 70% at 64 clients)`);

    if (soak > 0) {
      const samples: Array<[number, number]> = [];
      const t0 = performance.now();
      const timer = setInterval(() => samples.push([(performance.now() - t0) / 60_000, rssOf(pid).rss]), 1000);
      const body = JSON.stringify({ model: 'bench', input: sentence() });
      const r = await autocannon({ url: `${server.url}/v1/embeddings`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 64, duration: soak, timeout: 60 });
      clearInterval(timer);
      // least-squares slope of RSS over time, MB per minute, after the first 10% (warm-up)
      const s = samples.slice(Math.floor(samples.length / 10));
      const mx = s.reduce((a, [x]) => a + x, 0) / s.length;
      const my = s.reduce((a, [, y]) => a + y, 0) / s.length;
      const slope = s.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / Math.max(1e-12, s.reduce((a, [x]) => a + (x - mx) ** 2, 0));
      const rss = s.map(([, y]) => y);
      console.log(`soak embeddings 64 clients ${soak} s: ${fmt((r.requests.total - r.non2xx) / r.duration, 1)} requests/s, errors ${r.errors + r.non2xx}, ` +
        `server RSS start ${fmt(rss[0] ?? NaN)} MB, end ${fmt(rss.at(-1) ?? NaN)} MB, max ${fmt(Math.max(...rss))} MB, slope ${fmt(slope, 1)} MB/min`);
    }
  } finally {
    if (server) {
      server.child.kill('SIGTERM');
      await new Promise((r) => server!.child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
