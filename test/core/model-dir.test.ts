import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GRAPH_FILES, MANIFEST_FILE, graphIo, parseManifest, type GraphName } from '../../core/model-dir.ts';
import { IsovaeError } from '../../core/errors.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = join(ROOT, 'models');
const shipped = readdirSync(MODELS, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);

const importsOf = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);

/** A valid manifest written by hand from docs/MODEL-DIR.md (K 2, H 3, V 5), not by the exporter. */
function handManifest(): Record<string, unknown> {
  const h = 'ab'.repeat(32);
  return {
    format: 'isovae-model',
    formatVersion: 1,
    model: { posterior: 'iso', vocabSize: 5, embeddingDim: 4, hiddenDim: 3, latentDim: 2 },
    maxLen: 9,
    special: { pad: 0, bos: 1, eos: 2, unk: 4 },
    vocab: { file: 'vocab.txt', size: 5, sha256: h },
    graphs: {
      encoder: { file: 'encoder.onnx', sha256: h, inputs: [{ name: 'tokens', dtype: 'int32', shape: ['batch', 'seq'] }], outputs: [{ name: 'mean', dtype: 'float32', shape: ['batch', 2] }, { name: 'logvar', dtype: 'float32', shape: ['batch', 2] }] },
      decoder_step: {
        file: 'decoder_step.onnx', sha256: h,
        inputs: [{ name: 'token', dtype: 'int32', shape: ['batch'] }, { name: 'z', dtype: 'float32', shape: ['batch', 2] }, { name: 'h', dtype: 'float32', shape: ['batch', 3] }, { name: 'c', dtype: 'float32', shape: ['batch', 3] }],
        outputs: [{ name: 'logits', dtype: 'float32', shape: ['batch', 5] }, { name: 'next_token', dtype: 'int32', shape: ['batch'] }, { name: 'h_out', dtype: 'float32', shape: ['batch', 3] }, { name: 'c_out', dtype: 'float32', shape: ['batch', 3] }],
      },
    },
  };
}

function parseError(m: unknown): IsovaeError {
  try {
    parseManifest(JSON.stringify(m), 'dir/manifest.json');
  } catch (e) {
    if (e instanceof IsovaeError) return e;
    throw e;
  }
  throw new Error('parseManifest accepted a bad manifest');
}

describe('model-directory contract (core/model-dir.ts)', () => {
  it('lives in core/ and imports only core/, so the exporter and the runtime (node and web) share it', () => {
    for (const s of importsOf(join(ROOT, 'core/model-dir.ts'))) expect(s).toMatch(/^\.\/[a-z-]+\.ts$/);
    for (const f of ['export/manifest.ts', 'runtime/load.ts', 'runtime/validate.ts']) expect(importsOf(join(ROOT, f)), f).toContain('../core/model-dir.ts');
  });

  it.each(shipped)('reads the shipped model models/%s (backward compatible with format version 1)', (name) => {
    const dir = join(MODELS, name);
    const m = parseManifest(readFileSync(join(dir, MANIFEST_FILE), 'utf8'), `models/${name}/manifest.json`);
    expect(m.formatVersion).toBe(1);
    expect(typeof m.command).toBe('string');
    for (const [g, spec] of Object.entries(m.graphs) as Array<[GraphName, NonNullable<typeof m.graphs.encoder_fused>]>) {
      // The exporter that wrote these files declared exactly the IO the contract prescribes today.
      expect(spec.file).toBe(GRAPH_FILES[g]);
      expect({ inputs: spec.inputs, outputs: spec.outputs }).toEqual(graphIo(g, m.model));
      expect(createHash('sha256').update(readFileSync(join(dir, spec.file))).digest('hex')).toBe(spec.sha256);
    }
    expect(createHash('sha256').update(readFileSync(join(dir, m.vocab.file))).digest('hex')).toBe(m.vocab.sha256);
  });

  it('accepts a minimal hand-written manifest (no provenance) and ignores unknown fields', () => {
    const raw = { ...handManifest(), futureField: { anything: 1 } };
    const m = parseManifest(JSON.stringify(raw), 'm.json');
    expect(m.model.latentDim).toBe(2);
    expect(m.training).toBeUndefined();
    expect(m).not.toHaveProperty('futureField');
    expect(graphIo('decoder_step', m.model)).toEqual({ inputs: m.graphs.decoder_step.inputs, outputs: m.graphs.decoder_step.outputs });
  });

  it('an AE declares no logvar output', () => {
    expect(graphIo('encoder', { posterior: 'ae', vocabSize: 5, embeddingDim: 4, hiddenDim: 3, latentDim: 2 }).outputs.map((o) => o.name)).toEqual(['mean']);
  });

  it.each([
    ['formatVersion', (m: Record<string, unknown>) => (m.formatVersion = 2), /formatVersion 2 is not supported.*reads version 1/],
    ['format', (m: Record<string, unknown>) => (m.format = 'onnx'), /field "format" must be "isovae-model"/],
    ['special', (m: Record<string, unknown>) => (m.special = { pad: 0, bos: 2, eos: 1, unk: 4 }), /field "special" must have pad 0, bos 1, eos 2/],
    ['graphs.decoder_step', (m: Record<string, unknown>) => delete (m.graphs as Record<string, unknown>).decoder_step, /field "graphs.decoder_step" is missing/],
    ['vocab.sha256', (m: Record<string, unknown>) => ((m.vocab as Record<string, unknown>).sha256 = 'xyz'), /field "vocab.sha256" must be 64 hex digits/],
  ])('rejects a bad %s with E_MANIFEST naming the file and field', (_, edit, message) => {
    const m = handManifest();
    edit(m);
    const err = parseError(m);
    expect(err.code).toBe('E_MANIFEST');
    expect(err.message).toMatch(/^dir\/manifest\.json: /);
    expect(err.message).toMatch(message);
  });
});
