/**
 * End-to-end: build the web demo with the committed fixture models (test/browser/fixtures, trained on
 * team-written text by make-fixture.ts), serve it with `vite preview` (COOP/COEP) on a free 127.0.0.1
 * port, and drive Debian's headless Chromium. Checks the UI path (type, Enter, reconstruction shown)
 * and that the browser's results equal onnxruntime-node's on the same files, on WASM (threaded and
 * 1 thread; fp32 and the int8 variants the demo picks on WASM: weight-only for igp, dynamic for dgp) and on WebGPU (SwiftShader software
 * adapter; fp16 falls back to fp32 there, as the adapter has no shader-f16). Writes a screenshot (docs/screenshots/demo.png
 * with UPDATE_SCREENSHOT=1, else $TMPDIR/isovae-demo-screenshot/demo.png).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INT8_SCHEME, INT8_WEIGHT_ONLY_SCHEME } from '../../core/dtype.ts';
import { loadModel, type IsovaeModel } from '../../runtime/index.ts';
import { buildDemo, chromiumPath, FIXTURE_MODELS, launch, REPO, serveDemo } from './harness.ts';

const HAVE_CHROMIUM = chromiumPath() !== null;
if (!HAVE_CHROMIUM) console.warn('test/browser: Chromium not found (apt-get install -y chromium, or set $CHROMIUM); browser tests skipped.');

// Sentences written for this test (not in the fixture corpus except the first).
const SENTENCES = ['the small dog sleeps near the door .', 'a quiet fox waits by the river', 'it will be grey tonight .', 'zebra unknownword .', ''];
const DIRS = ['igp', 'dgp'] as const;
const READY_MS = 45_000;

/** Max |a - b| over whole arrays (lengths must match). */
function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

async function openDemo(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(() => window.isovaeDemo?.state().ready === true || window.isovaeDemo?.state().error != null, null, { timeout: READY_MS });
  const st = await page.evaluate(() => window.isovaeDemo!.state());
  expect(st.error).toBeNull();
}

describe.skipIf(!HAVE_CHROMIUM)('web demo in headless Chromium', () => {
  let outDir = '';
  let server: { url: string; close: () => Promise<void> };
  const node: Record<string, IsovaeModel> = {};
  const nodeInt8: Record<string, IsovaeModel> = {};

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'isovae-demo-dist-'));
    await buildDemo(outDir, FIXTURE_MODELS);
    server = await serveDemo(outDir);
    // The reference: the same encoder.onnx / decoder_step.onnx on onnxruntime-node CPU.
    for (const d of DIRS) node[d] = await loadModel(join(FIXTURE_MODELS, d), { useFusedEncoder: false, threads: 1 });
    for (const d of DIRS) nodeInt8[d] = await loadModel(join(FIXTURE_MODELS, d, 'int8'), { useFusedEncoder: false, threads: 1 });
  }, 60_000);

  afterAll(async () => {
    for (const m of [...Object.values(node), ...Object.values(nodeInt8)]) await m.dispose();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  /** Browser vs node (`ref`: the same files on onnxruntime-node): means (and log-variances) within `atol`, identical greedy tokens. */
  async function checkParity(page: Page, atol: number | Record<string, number>, label: string, ref0: Record<string, IsovaeModel> = node): Promise<void> {
    for (const d of DIRS) {
      const tol = typeof atol === 'number' ? atol : atol[d]!;
      const web = await page.evaluate(([dir, texts]) => window.isovaeDemo!.encode(dir, texts), [d, SENTENCES] as const);
      const ref = await ref0[d]!.encode(SENTENCES);
      const dm = maxAbsDiff(web.mean, ref.mean);
      const dl = maxAbsDiff(web.logvar!, ref.logvar!);
      console.log(`${label} ${d}: mean max abs diff ${dm.toExponential(2)}, logvar ${dl.toExponential(2)} (atol ${tol})`);
      expect(dm).toBeLessThanOrEqual(tol);
      expect(dl).toBeLessThanOrEqual(tol);
      const rec = await page.evaluate(([dir, texts]) => window.isovaeDemo!.reconstruct(dir, texts), [d, SENTENCES] as const);
      expect(rec).toEqual((await ref0[d]!.reconstruct(SENTENCES)).map((r) => Array.from(r.ids)));
      const z = ref0[d]!.sample(6, { seed: 5 });
      const dec = await page.evaluate(([dir, zz]) => window.isovaeDemo!.decode(dir, zz), [d, Array.from(z)] as const);
      expect(dec).toEqual((await ref0[d]!.decode(z)).map((r) => Array.from(r.ids)));
    }
  }

  it('WASM: UI reconstruction, parity with onnxruntime-node (1e-4, same tokens), cache, errors, phone layout, screenshot', async () => {
    const b = await launch('none');
    try {
      const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
      await openDemo(page, `${server.url}?ep=wasm&dtype=fp32`);
      const st = await page.evaluate(() => window.isovaeDemo!.state());
      expect(st.provider).toBe('wasm');
      expect(st.models.map((m) => m.dtype)).toEqual(['fp32', 'fp32']);
      expect(st.isolated).toBe(true); // COOP/COEP from vite preview -> SharedArrayBuffer -> threads
      expect(st.threads).toBeGreaterThanOrEqual(1);
      expect(st.models.map((m) => m.dir)).toEqual(['igp', 'dgp']);
      expect(st.cache.misses).toBeGreaterThan(0); // fresh profile: downloaded, then stored

      // The UI path: type a sentence, press Enter, both panes show node's reconstruction.
      const text = 'a quiet fox waits by the river';
      await page.fill('#sentence', text);
      await page.press('#sentence', 'Enter');
      for (const d of DIRS) {
        const want = (await node[d]!.reconstruct([text]))[0]!.text;
        await page.waitForFunction(([dir, w]) => document.querySelector(`#rec-panes [data-model="${dir}"] [data-testid="reconstruction"]`)?.textContent === w, [d, want] as const, { timeout: 10_000 });
        const bars = await page.locator(`#rec-panes [data-model="${d}"] svg.bars rect.bar`).count();
        expect(bars).toBe(node[d]!.latentDim);
        expect(await page.locator(`#rec-panes [data-model="${d}"] svg.map polygon.star`).count()).toBe(1);
      }
      expect(await page.locator('#provider').textContent()).toMatch(/^WASM · \d+ threads? · fp32$/);
      await checkParity(page, 1e-4, `wasm x${st.threads}`);

      // Screenshot of the whole page after the UI run.
      // One fixed temp path (overwritten each run) unless UPDATE_SCREENSHOT=1 updates the committed one.
      const shotDir = process.env.UPDATE_SCREENSHOT === '1' ? join(REPO, 'docs', 'screenshots') : join(tmpdir(), 'isovae-demo-screenshot');
      mkdirSync(shotDir, { recursive: true });
      const shot = join(shotDir, 'demo.png');
      await page.fill('#sentence', SENTENCES[0]!);
      await page.press('#sentence', 'Enter');
      await page.locator('#sentence').blur();
      await page.waitForFunction(() => document.querySelector('#rec-panes [data-testid="reconstruction"]')?.textContent === 'the small dog sleeps near the door .', null, { timeout: 10_000 });
      await page.screenshot({ path: shot, fullPage: true });
      expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
      console.log(`screenshot: ${shot}`);

      // Phone-sized screen: no horizontal scrolling.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

      // Second visit: model files and the ORT binary come from the Cache API.
      await openDemo(page, `${server.url}?ep=wasm&threads=1&run=0&dtype=fp32`);
      const st2 = await page.evaluate(() => window.isovaeDemo!.state());
      expect(st2.cache).toEqual({ hits: 7, misses: 0 }); // ort .wasm + 2 x (vocab, encoder, decoder_step)
      expect(st2.threads).toBe(1);
      await checkParity(page, 1e-4, 'wasm x1');

      // WebGPU asked for on a browser without it: a clear notice, WASM runs.
      await openDemo(page, `${server.url}?ep=webgpu&run=0`);
      expect(await page.locator('#notices').textContent()).toMatch(/WebGPU unavailable: .*Using WASM/);
      expect((await page.evaluate(() => window.isovaeDemo!.state())).provider).toBe('wasm');

      // A corrupt model file: that pane explains, the other model still works.
      await page.evaluate(() => caches.delete('isovae-demo-v1'));
      await page.route('**/models/dgp/decoder_step.onnx', (r) => r.fulfill({ status: 200, body: Buffer.from('not an onnx file') }));
      await openDemo(page, `${server.url}?ep=wasm&dtype=fp32`);
      expect(await page.locator('#rec-panes [data-model="igp"] [data-testid="reconstruction"]').count()).toBe(1);
      await expect.poll(() => page.locator('#rec-panes .pane.failed').textContent()).toMatch(/Could not load this model: .*decoder_step\.onnx/);
      await page.unroute('**/models/dgp/decoder_step.onnx');
      await page.route('**/models/index.json', (r) => r.fulfill({ status: 404, body: 'not found' }));
      await page.goto(`${server.url}?ep=wasm`);
      await page.waitForFunction(() => window.isovaeDemo?.state().error != null, null, { timeout: READY_MS });
      expect(await page.locator('#notices').textContent()).toMatch(/index\.json not found.*make-index\.ts/);
    } finally {
      await b.close();
    }
  }, 90_000);

  it('WASM picks the int8 variant by default: same tokens as onnxruntime-node on the same int8 files; dtype shown', async () => {
    const b = await launch('none');
    try {
      const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
      await openDemo(page, `${server.url}?ep=wasm`);
      const st = await page.evaluate(() => window.isovaeDemo!.state());
      expect(st.models.map((m) => [m.dir, m.provider, m.dtype])).toEqual([['igp', 'wasm', 'int8'], ['dgp', 'wasm', 'int8']]);
      expect(await page.locator('#provider').textContent()).toMatch(/^WASM · \d+ threads? · int8$/);
      expect(await page.locator('#rec-panes [data-model="igp"] .meta').textContent()).toMatch(/int8 weights$/);
      expect(await page.locator('#dtype').inputValue()).toBe('auto');
      // The fixture models hold the two int8 schemes (make-fixture.ts). igp: weight-only, the shipped models' scheme;
      // both runtimes fold the same int8 x float16 weights to the same float32 values at load, then compute in
      // float32: fp32's 1e-4, same tokens. dgp: dynamic; integer products are exact on both, float parts (scales,
      // LSTM cell) may differ in the last bits, which can move an activation across a uint8 rounding boundary:
      // 1e-3 on the means, tokens identical.
      expect([nodeInt8.igp!.manifest.quantization?.scheme, nodeInt8.dgp!.manifest.quantization?.scheme]).toEqual([INT8_WEIGHT_ONLY_SCHEME, INT8_SCHEME]);
      await checkParity(page, { igp: 1e-4, dgp: 1e-3 }, `wasm x${st.threads} int8`, nodeInt8);
    } finally {
      await b.close();
    }
  }, 90_000);

  it('WebGPU (SwiftShader software adapter): provider reported, parity with onnxruntime-node (1e-4, same tokens)', async () => {
    const b = await launch('swiftshader');
    try {
      const page = b.ctx.pages()[0] ?? (await b.ctx.newPage());
      const f16 = async (): Promise<boolean> => page.evaluate(async () => {
        const a = await (navigator as unknown as { gpu: { requestAdapter(): Promise<{ features: Set<string> } | null> } }).gpu.requestAdapter();
        return a?.features.has('shader-f16') ?? false;
      });
      // fp16 asked for on an adapter without shader-f16 (SwiftShader): a notice, and the fp32 files run.
      await openDemo(page, `${server.url}?ep=webgpu&dtype=fp16&run=0`);
      expect(await f16()).toBe(false);
      expect(await page.locator('#notices').textContent()).toMatch(/this WebGPU adapter has no shader-f16 feature: using fp32 weights instead of fp16/);
      expect((await page.evaluate(() => window.isovaeDemo!.state())).models.map((m) => m.dtype)).toEqual(['fp32', 'fp32']);

      await openDemo(page, `${server.url}?ep=webgpu&dtype=fp32`);
      const st = await page.evaluate(() => window.isovaeDemo!.state());
      expect(st.provider).toBe('webgpu');
      expect(st.models.every((m) => m.provider === 'webgpu' && m.dtype === 'fp32')).toBe(true);
      expect(await page.locator('#provider').textContent()).toBe('WebGPU · fp32');
      // Tolerance: the same 1e-4 as WASM. WebGPU sums in f32 in another order (and may use FMA), which
      // moves these small graphs by ~1e-6; 1e-4 leaves two orders of margin and still catches a wrong
      // kernel (errors of that kind are >= 1e-2). Greedy tokens must be identical.
      await checkParity(page, 1e-4, 'webgpu');

      // auto on WebGPU without shader-f16: the weight-only int8 variant (igp; float32 arithmetic once folded, the
      // same 1e-4) and fp32 for dgp, whose int8 variant is dynamic (no WebGPU integer kernels).
      await openDemo(page, `${server.url}?ep=webgpu`);
      const auto = await page.evaluate(() => window.isovaeDemo!.state());
      expect(auto.models.map((m) => [m.dir, m.provider, m.dtype])).toEqual([['igp', 'webgpu', 'int8'], ['dgp', 'webgpu', 'fp32']]);
      expect(await page.locator('#provider').textContent()).toBe('WebGPU · int8 / fp32');
      await checkParity(page, 1e-4, 'webgpu auto', { igp: nodeInt8.igp!, dgp: node.dgp! });
    } finally {
      await b.close();
    }
  }, 180_000); // three page loads on a software adapter
});
