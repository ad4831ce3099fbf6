import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { IsovaeError } from '../../core/errors.ts';
import { Vocab } from '../../core/vocab.ts';
import { loadModel, loadModelFromBytes } from '../../runtime/index.ts';
import { tinyModel, WORDS, writeDir } from './fixture.ts';

const fx = tinyModel('iso');
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Copy of the fixture files with `edit` applied; `rehash` recomputes the manifest's sha256 fields. */
function variant(edit: (files: Record<string, Uint8Array>, manifest: Json) => void, rehash = true): Record<string, Uint8Array> {
  const files = { ...fx.files };
  const manifest = JSON.parse(JSON.stringify(fx.manifest)) as Json;
  edit(files, manifest);
  if (rehash) {
    for (const g of Object.values(manifest.graphs as Json)) if (files[g.file]) g.sha256 = sha(files[g.file]!);
    if (files['vocab.txt']) manifest.vocab.sha256 = sha(files['vocab.txt']);
  }
  if (!('manifest.json' in files) || files['manifest.json'] === fx.files['manifest.json']) files['manifest.json'] = enc(JSON.stringify(manifest));
  return files;
}

async function failure(files: Record<string, Uint8Array>, opts = {}): Promise<IsovaeError> {
  const err = await loadModelFromBytes(files, opts).then(
    async (m) => {
      await m.dispose();
      return null;
    },
    (e: unknown) => e,
  );
  if (!(err instanceof IsovaeError)) throw new Error(`expected an IsovaeError, got ${String(err)}`);
  return err;
}

describe('model directory validation', () => {
  it('missing manifest.json -> E_MANIFEST naming the file', async () => {
    const dir = writeDir({ ...fx.files });
    rmSync(join(dir, 'manifest.json'));
    const err = (await loadModel(dir).catch((e: unknown) => e)) as IsovaeError;
    expect(err.code).toBe('E_MANIFEST');
    expect(err.message).toContain(join(dir, 'manifest.json'));
  });

  it('manifest that is not JSON -> E_MANIFEST', async () => {
    const err = await failure({ ...fx.files, 'manifest.json': enc('{"format": "isovae-model",') });
    expect(err.code).toBe('E_MANIFEST');
    expect(err.message).toMatch(/manifest\.json: not valid JSON/);
  });

  it.each([
    ['model.hiddenDim', (m: Json) => delete m.model.hiddenDim],
    ['maxLen', (m: Json) => delete m.maxLen],
    ['graphs.decoder_step.sha256', (m: Json) => delete m.graphs.decoder_step.sha256],
    ['special.unk', (m: Json) => delete m.special.unk],
    ['graphs.encoder.outputs "logvar"', (m: Json) => m.graphs.encoder.outputs.pop()],
  ])('manifest missing %s -> E_MANIFEST naming the field', async (field, drop) => {
    const err = await failure(variant((_, m) => drop(m), false));
    expect(err.code).toBe('E_MANIFEST');
    expect(err.message).toContain(field);
    expect(err.message).toContain('manifest.json');
  });

  it('unknown formatVersion -> E_MANIFEST that says how to re-export', async () => {
    const err = await failure(variant((_, m) => (m.formatVersion = 2), false));
    expect(err.code).toBe('E_MANIFEST');
    expect(err.message).toMatch(/formatVersion 2 is not supported/);
    expect(err.message).toMatch(/isovae export <checkpoint> <out-dir>/);
  });

  it('sha256 mismatch (one weight byte changed) -> E_MODEL_FILE naming the file', async () => {
    const files = variant((f) => {
      const b = f['decoder_step.onnx']!.slice();
      b[b.length - 10] = b[b.length - 10]! ^ 0xff;
      f['decoder_step.onnx'] = b;
    }, false);
    const err = await failure(files);
    expect(err.code).toBe('E_MODEL_FILE');
    expect(err.message).toMatch(/decoder_step\.onnx: sha256 [0-9a-f]{64} does not match/);
  });

  it.each([
    ['truncated to half', (b: Uint8Array) => b.slice(0, b.length >> 1)],
    ['truncated to 10 bytes', (b: Uint8Array) => b.slice(0, 10)],
    ['empty', () => new Uint8Array(0)],
    ['random bytes', (b: Uint8Array) => Uint8Array.from(b, (_, i) => (i * 2654435761) >>> 24)],
    ['a text file', () => enc('this is not an onnx model, just some text that is long enough')],
  ])('encoder.onnx %s (hash matching) -> E_MODEL_FILE before onnxruntime sees it', async (_, corrupt) => {
    const err = await failure(variant((f) => (f['encoder.onnx'] = corrupt(f['encoder.onnx']!))));
    expect(err.code).toBe('E_MODEL_FILE');
    expect(err.message).toContain('encoder.onnx');
    expect(err.message).toMatch(/re-export/);
  });

  it('truncated file with hash checks off is still caught by the structure check', async () => {
    const files = variant((f) => (f['decoder_step.onnx'] = f['decoder_step.onnx']!.slice(0, 3000)), false);
    const err = await failure(files, { verifyHashes: false });
    expect(err.code).toBe('E_MODEL_FILE');
    expect(err.message).toMatch(/decoder_step\.onnx: not a valid ONNX model .*truncated/);
  });

  it('a well-formed file onnxruntime rejects (unknown op) -> E_MODEL_FILE, not a crash', async () => {
    const files = variant((f) => {
      const b = f['decoder_step.onnx']!.slice();
      const at = Buffer.from(b).indexOf('Sigmoid');
      b.set(enc('Sigmoix'), at);
      f['decoder_step.onnx'] = b;
    });
    const err = await failure(files);
    expect(err.code).toBe('E_MODEL_FILE');
    expect(err.message).toMatch(/decoder_step\.onnx/);
  });

  it('graph files swapped -> E_MODEL_FILE naming the missing input', async () => {
    const err = await failure(variant((f) => ([f['encoder.onnx'], f['decoder_step.onnx']] = [f['decoder_step.onnx']!, f['encoder.onnx']!])));
    expect(err.code).toBe('E_MODEL_FILE');
    expect(err.message).toMatch(/encoder\.onnx: the graph has no input "tokens"/);
  });

  it('missing graph file -> E_MODEL_FILE', async () => {
    const err = await failure(variant((f) => delete f['decoder_step.onnx'], false));
    expect(err.code).toBe('E_MODEL_FILE');
    expect(err.message).toMatch(/decoder_step\.onnx does not exist/);
  });

  it('vocab.txt of another size -> E_VOCAB', async () => {
    const other = Vocab.fromWords([...WORDS, 'extra']);
    const err = await failure(variant((f) => (f['vocab.txt'] = enc(other.toText()))));
    expect(err.code).toBe('E_VOCAB');
    expect(err.message).toMatch(/vocab\.txt: 20 tokens, but the manifest says vocab\.size 19/);
  });

  it('vocab and manifest agree with each other but not with the graphs -> E_VOCAB from the graph', async () => {
    const other = Vocab.fromWords([...WORDS, 'extra']);
    const files = variant((f, m) => {
      f['vocab.txt'] = enc(other.toText());
      m.vocab.size = 20;
      m.model.vocabSize = 20;
      m.graphs.decoder_step.outputs[0].shape = ['batch', 20];
    });
    const err = await failure(files);
    expect(err.code).toBe('E_VOCAB');
    expect(err.message).toMatch(/\.onnx: .*(19 rows|19 logits|is 19, expected 20)/);
  });

  it('vocab.txt changed in place (same size) -> E_VOCAB sha256 mismatch', async () => {
    const swapped = Vocab.fromWords(['cat', 'the', ...WORDS.slice(2)]);
    const err = await failure(variant((f) => (f['vocab.txt'] = enc(swapped.toText())), false));
    expect(err.code).toBe('E_VOCAB');
    expect(err.message).toMatch(/vocab\.txt: sha256/);
  });

  it('missing vocab.txt -> E_VOCAB', async () => {
    const err = await failure(variant((f) => delete f['vocab.txt'], false));
    expect(err.code).toBe('E_VOCAB');
  });
});

describe('bad arguments', () => {
  it('are TypeError / RangeError before any session.run', async () => {
    const model = await loadModel(fx.dir, { threads: 1 });
    try {
      const K = fx.cfg.latentDim;
      await expect(model.decode(new Float32Array(K + 1))).rejects.toThrow(RangeError);
      await expect(model.decode(new Float32Array(K).fill(Number.NaN))).rejects.toThrow(/finite/);
      await expect(model.decode([0, 0, 0, 0] as unknown as Float32Array)).rejects.toThrow(TypeError);
      await expect(model.encode([[3, 99, 2]])).rejects.toThrow(/token 1 is 99/);
      await expect(model.encode([[3, 2, 4, 2]])).rejects.toThrow(RangeError);
      await expect(model.encode('the cat' as unknown as string[])).rejects.toThrow(TypeError);
      await expect(model.encode([42 as unknown as string])).rejects.toThrow(TypeError);
      await expect(model.encode(['a'], { batchSize: 0 })).rejects.toThrow(RangeError);
      await expect(model.impute(['a'], { mode: 'both' as 'intended' })).rejects.toThrow(RangeError);
      await expect(model.decode(model.sample(1), { maxLen: 0 })).rejects.toThrow(RangeError);
      expect(() => model.sample(-1)).toThrow(RangeError);
      await expect(model.interpolate('a', 'b', { steps: 1 })).rejects.toThrow(RangeError);
    } finally {
      await model.dispose();
    }
  });
});
