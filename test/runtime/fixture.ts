/**
 * Test fixtures: tiny random models exported with export/ (tests may import export/, runtime/ may not),
 * written as model directories with a manifest built here per notes/contract.md.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { ModelConfig, Posterior } from '../../core/config.ts';
import { Rng } from '../../core/rng.ts';
import { Vocab } from '../../core/vocab.ts';
import { weightShapes, type Weights } from '../../core/weights.ts';
import { buildModelFiles } from '../../export/model-files.ts';

/** The fixture vocabulary words (ids 3..): written by hand, includes the literal `unk`. */
export const WORDS = ['the', 'cat', 'sat', 'on', 'mat', 'dog', 'ran', 'a', 'big', 'small', 'red', 'unk', 'house', 'tree', 'blue', '.'];

export interface Fixture {
  dir: string;
  cfg: ModelConfig;
  weights: Weights;
  vocab: Vocab;
  maxLen: number;
  files: Record<string, Uint8Array>;
  manifest: Record<string, unknown>;
}

/** Uniform(-scale, scale) weights of the right shapes from a seeded core Rng. */
export function randomWeights(cfg: ModelConfig, seed: number, scale = 0.6): Weights {
  const r = new Rng(seed);
  const w: Weights = {};
  for (const [name, shape] of weightShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    w[name] = { shape, data: Float32Array.from({ length: n }, () => (2 * r.next() - 1) * scale) };
  }
  return w;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Build the files of a model directory (manifest.json, vocab.txt, graphs) in memory. */
export function buildFixtureFiles(cfg: ModelConfig, weights: Weights, vocab: Vocab, maxLen: number, fused = true): { files: Record<string, Uint8Array>; manifest: Record<string, unknown> } {
  const graphs = buildModelFiles(cfg, weights, { fusedEncoder: fused });
  const files: Record<string, Uint8Array> = { 'vocab.txt': new TextEncoder().encode(vocab.toText()) };
  const K = cfg.latentDim;
  const H = cfg.hiddenDim;
  const V = cfg.vocabSize;
  const encOut = [{ name: 'mean', dtype: 'float32', shape: ['batch', K] }];
  if (cfg.posterior !== 'ae') encOut.push({ name: 'logvar', dtype: 'float32', shape: ['batch', K] });
  const encoderIo = { inputs: [{ name: 'tokens', dtype: 'int32', shape: ['batch', 'seq'] }], outputs: encOut };
  const graphSpecs: Record<string, unknown> = {};
  for (const [name, bytes] of graphs) {
    const file = `${name}.onnx`;
    files[file] = bytes;
    const io = name === 'decoder_step'
      ? {
          inputs: [
            { name: 'token', dtype: 'int32', shape: ['batch'] },
            { name: 'z', dtype: 'float32', shape: ['batch', K] },
            { name: 'h', dtype: 'float32', shape: ['batch', H] },
            { name: 'c', dtype: 'float32', shape: ['batch', H] },
          ],
          outputs: [
            { name: 'logits', dtype: 'float32', shape: ['batch', V] },
            { name: 'next_token', dtype: 'int32', shape: ['batch'] },
            { name: 'h_out', dtype: 'float32', shape: ['batch', H] },
            { name: 'c_out', dtype: 'float32', shape: ['batch', H] },
          ],
        }
      : encoderIo;
    graphSpecs[name] = { file, sha256: sha(bytes), ...io };
  }
  const manifest = {
    format: 'isovae-model',
    formatVersion: 1,
    model: cfg,
    maxLen,
    special: { pad: 0, bos: 1, eos: 2, unk: vocab.unkId },
    vocab: { file: 'vocab.txt', size: vocab.size, sha256: sha(files['vocab.txt']!) },
    graphs: graphSpecs,
    command: 'test fixture',
    exporter: { name: 'isovae', version: '0.1.0', opset: 17, irVersion: 8 },
  };
  files['manifest.json'] = new TextEncoder().encode(JSON.stringify(manifest, null, 2));
  return { files, manifest };
}

// Temporary model directories are removed after the test file that made them (this module is
// evaluated once per test file, so afterAll registers on that file's root suite).
const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Write `files` into a fresh temporary directory (removed after the test file) and return its path. */
export function writeDir(files: Record<string, Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'isovae-rt-'));
  made.push(dir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

/**
 * A tiny model directory: V = 19 (3 specials + 16 words), E = 6, H = 8, K = 4, maxLen 8.
 * `eosBias` is added to output/bias[EOS] (large values make rows stop early).
 */
export function tinyModel(posterior: Posterior = 'iso', opts: { seed?: number; eosBias?: number; fused?: boolean; maxLen?: number } = {}): Fixture {
  const vocab = Vocab.fromWords(WORDS);
  const cfg: ModelConfig = { posterior, vocabSize: vocab.size, embeddingDim: 6, hiddenDim: 8, latentDim: 4 };
  const weights = randomWeights(cfg, opts.seed ?? 1);
  if (opts.eosBias) weights['output/bias']!.data[2] = weights['output/bias']!.data[2]! + opts.eosBias;
  const maxLen = opts.maxLen ?? 8;
  const { files, manifest } = buildFixtureFiles(cfg, weights, vocab, maxLen, opts.fused ?? true);
  return { dir: writeDir(files), cfg, weights, vocab, maxLen, files, manifest };
}

/** Whole-tensor check |a - e| <= atol for every element; returns the max abs diff, throws naming the first bad index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, what: string): number {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  let max = 0;
  let first = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= atol) && first < 0) first = i;
    max = Math.max(max, Number.isNaN(d) ? Infinity : d);
  }
  if (first >= 0) throw new Error(`${what}: element ${first} is ${actual[first]} vs ${expected[first]} (atol ${atol}); max abs diff ${max}`);
  return max;
}
