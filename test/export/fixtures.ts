/** Tiny model fixtures for the exporter tests (random weights; no corpus text). */
import { DEFAULT_TRAIN_CONFIG, type ModelConfig, type Posterior } from '../../core/config.ts';
import { Rng } from '../../core/rng.ts';
import { Vocab } from '../../core/vocab.ts';
import { saveCheckpoint } from '../../train/checkpoint.ts';
import { initWeights } from '../../train/init.ts';
import type { ExportSource } from '../../export/write-model-dir.ts';
import type { ParityReference } from '../../export/parity-types.ts';
import type { Weights } from '../../core/weights.ts';
import { randomWeights } from './helpers.ts';
import { refDecoderStep, refEncode, refGreedy } from './reference.ts';

/** A tiny config: V=29, E=5, H=6, K=4. */
export function tinyConfig(posterior: Posterior): ModelConfig {
  return { posterior, vocabSize: 29, embeddingDim: 5, hiddenDim: 6, latentDim: 4 };
}

/** A made-up vocabulary of `V` entries in the model format (specials first, `unk` at id 3). */
export function fakeVocab(V: number): ExportSource['vocab'] {
  const words = ['<pad>', '<bos>', '<eos>', 'unk', ...Array.from({ length: V - 4 }, (_, i) => `w${i}`)];
  return { words, unkId: 3, toText: () => `${words.join('\n')}\n` };
}

/** An export source with seeded random weights. */
export function tinySource(posterior: Posterior, seed = 1, maxLen = 9): ExportSource {
  const model = tinyConfig(posterior);
  return { model, weights: randomWeights(model, seed), maxLen, vocab: fakeVocab(model.vocabSize), command: 'test', metrics: { rec: 1.5 } };
}

/** The float64 JS reference wrapped as a ParityReference (results rounded to float32). */
export function float64Reference(cfg: ModelConfig, w: Weights): ParityReference {
  return {
    encode: async (tokens, batch, seq) => {
      const rows = Array.from({ length: batch }, (_, b) => [...tokens.subarray(b * seq, (b + 1) * seq)]);
      const r = refEncode(cfg, w, rows);
      return { mean: Float32Array.from(r.mean), logvar: r.logvar ? Float32Array.from(r.logvar) : null };
    },
    decoderStep: async (token, z, h, c) => {
      const r = refDecoderStep(cfg, w, [...token], z, h, c);
      return { logits: Float32Array.from(r.logits), h: Float32Array.from(r.h), c: Float32Array.from(r.c) };
    },
    greedyDecode: async (z, batch, steps) => refGreedy(cfg, w, z, batch, steps),
  };
}

/**
 * Write a finished checkpoint of the tiny iso model (initial weights, seed 5; words w0..w24 + unk; maxLen 9)
 * to `dir`, as train/checkpoint.ts does, for the CLI tests.
 */
export function saveTinyCheckpoint(dir: string): void {
  const model = tinyConfig('iso');
  saveCheckpoint(dir, {
    train: { ...DEFAULT_TRAIN_CONFIG, embeddingDim: 5, hiddenDim: 6, latentDim: 4, vocabWords: 26, maxLen: 8 },
    model, maxLen: 9,
    vocab: Vocab.fromWords(['unk', ...Array.from({ length: model.vocabSize - 4 }, (_, i) => `w${i}`)]),
    weights: initWeights(model, new Rng(5)), optimizer: null,
    state: { epoch: 1, batchInEpoch: 0, step: 10, shuffleRngAtEpochStart: [1, 2, 3, 4], noiseRng: [1, 2, 3, 4], history: [], finished: true, epochSums: { loss: 0, kl: 0, rec: 0, n: 0, tokens: 0 } },
    dataset: { name: 'made-up', classes: [], sizes: { train: 1, valid: 1, test: 1 } },
    command: 'isovae train --test', metrics: { rec: 12.5 }, backend: 'wasm',
  });
}
