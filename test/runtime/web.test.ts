import * as ortWeb from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsovaeError } from '../../core/errors.ts';
import { loadModelFromBytes } from '../../runtime/index.ts';
import type { IsovaeModel } from '../../runtime/model.ts';
import { loadWebModel, loadWebModelFromBytes, type Progress } from '../../runtime/web.ts';
import { expectClose, tinyModel } from './fixture.ts';

// The web entry with onnxruntime-web (wasm, single thread) injected, run under node.
const fx = tinyModel('diag', { seed: 11 });
const TEXTS = ['the cat sat on the mat .', 'a big dog', '', 'blue tree'];

/** A fetch over the fixture files, with a content-length header, 404 for unknown names. */
function fakeFetch(files: Record<string, Uint8Array>, seen: string[]): typeof fetch {
  return (async (url: string | URL) => {
    const name = String(url).split('/').pop()!;
    seen.push(String(url));
    const body = files[name];
    if (!body) return new Response('not found', { status: 404, statusText: 'Not Found' });
    return new Response(body as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-length': String(body.byteLength) } });
  }) as typeof fetch;
}

describe('runtime/web.ts on onnxruntime-web (wasm)', () => {
  let web: IsovaeModel;
  let node: IsovaeModel;
  const warnings: string[] = [];
  beforeAll(async () => {
    ortWeb.env.wasm.numThreads = 1;
    web = await loadWebModelFromBytes(fx.files, { ort: ortWeb, executionProviders: ['webgpu', 'wasm'], logger: { warn: (m) => warnings.push(m) } });
    node = await loadModelFromBytes(fx.files, { useFusedEncoder: false, threads: 1 });
  });
  afterAll(async () => {
    await web.dispose();
    await node.dispose();
  });

  it('reports the active provider (webgpu missing under node -> wasm, with a warning)', () => {
    expect(web.provider).toBe('wasm');
    expect(web.fusedEncoder).toBe(false);
    expect(warnings.join('\n')).toMatch(/"webgpu" is not available/);
  });

  it('matches onnxruntime-node: means within 1e-5, identical greedy tokens', async () => {
    const [a, b] = [await web.encode(TEXTS), await node.encode(TEXTS)];
    const d = expectClose(a.mean, b.mean, 1e-5, 'mean web vs node');
    expectClose(a.logvar!, b.logvar!, 1e-5, 'logvar web vs node');
    console.log(`web vs node mean max abs diff ${d.toExponential(2)}`);
    const z = node.sample(8, { seed: 1 });
    const [x, y] = [await web.decode(z), await node.decode(z)];
    expect(x.map((r) => Array.from(r.ids))).toEqual(y.map((r) => Array.from(r.ids)));
    const [p, q] = [await web.impute(['the cat'], { mode: 'faithful' }), await node.impute(['the cat'], { mode: 'faithful' })];
    expect(p[0]!.text).toBe(q[0]!.text);
  });

  it('concurrent calls on one model are serialised and give the same results', async () => {
    const z = web.sample(4, { seed: 2 });
    const [r1, r2, r3] = await Promise.all([web.decode(z), web.decode(z), web.encode(TEXTS)]);
    expect(r1.map((r) => r.text)).toEqual(r2.map((r) => r.text));
    expect(r3.n).toBe(TEXTS.length);
  });

  it('loads from URLs with progress and verifies sha256 with crypto.subtle', async () => {
    const seen: string[] = [];
    const progress: Progress[] = [];
    const model = await loadWebModel('https://example.test/models/tiny', {
      ort: ortWeb,
      fetchFn: fakeFetch(fx.files, seen),
      onProgress: (p) => progress.push(p),
    });
    try {
      expect(seen).toEqual(['manifest.json', 'vocab.txt', 'encoder.onnx', 'decoder_step.onnx'].map((f) => `https://example.test/models/tiny/${f}`));
      const last = progress.filter((p) => p.file === 'decoder_step.onnx').at(-1)!;
      expect(last.loaded).toBe(fx.files['decoder_step.onnx']!.byteLength);
      expect(last.total).toBe(last.loaded);
      expect((await model.encode(['a big dog'])).n).toBe(1);
    } finally {
      await model.dispose();
    }
    const bad = { ...fx.files, 'encoder.onnx': fx.files['encoder.onnx']!.slice(0, 100) };
    const err = (await loadWebModel('https://example.test/m/', { ort: ortWeb, fetchFn: fakeFetch(bad, []) }).catch((e: unknown) => e)) as IsovaeError;
    expect(err.code).toBe('E_MODEL_FILE');
    expect(err.message).toMatch(/^https:\/\/example\.test\/m\/encoder\.onnx: sha256/);
    const missing = (await loadWebModel('https://example.test/none', { ort: ortWeb, fetchFn: fakeFetch({}, []) }).catch((e: unknown) => e)) as IsovaeError;
    expect(missing.code).toBe('E_MANIFEST');
  });
});
