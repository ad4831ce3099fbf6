/**
 * Browser-test and benchmark harness: build the demo with vite (models from a given directory),
 * serve it with `vite preview` on a free 127.0.0.1 port, and drive Debian's Chromium through
 * playwright-core (never a downloaded browser). Every step is bounded in time by the callers.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';

export const REPO = resolve(import.meta.dirname, '..', '..');
export const FIXTURE_MODELS = join(import.meta.dirname, 'fixtures', 'models');
const CONFIG = join(REPO, 'web-demo', 'vite.config.ts');

/** The Chromium binary: `$CHROMIUM` or Debian's /usr/bin/chromium. */
export function chromiumPath(): string | null {
  const p = process.env.CHROMIUM ?? '/usr/bin/chromium';
  return existsSync(p) ? p : null;
}

/** Build the demo into `outDir` with the models of `modelsDir` copied in. */
export async function buildDemo(outDir: string, modelsDir: string): Promise<void> {
  const prev = process.env.ISOVAE_MODELS_DIR;
  process.env.ISOVAE_MODELS_DIR = modelsDir;
  try {
    await build({ configFile: CONFIG, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    if (prev === undefined) delete process.env.ISOVAE_MODELS_DIR;
    else process.env.ISOVAE_MODELS_DIR = prev;
  }
}

/** A free TCP port on 127.0.0.1 (asked from the OS). */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** Serve a built demo from `outDir` with `vite preview` (COOP/COEP headers) on 127.0.0.1. */
export async function serveDemo(outDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  const server: PreviewServer = await preview({
    configFile: CONFIG,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port, strictPort: true, open: false },
  });
  return { url: `http://127.0.0.1:${port}/`, close: () => server.close() };
}

export type Gpu = 'none' | 'swiftshader';

/** Chromium flags: quiet, no network side traffic; `swiftshader` = software WebGPU adapter. */
export function chromiumArgs(gpu: Gpu): string[] {
  const base = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
  return gpu === 'swiftshader'
    ? [...base, '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader']
    : [...base, '--disable-gpu'];
}

/**
 * Launch headless Chromium with a fresh profile in a temp dir (empty caches: a cold start).
 * Returns the context and a `close` that also removes the profile.
 */
export async function launch(gpu: Gpu, viewport = { width: 1280, height: 900 }): Promise<{ ctx: BrowserContext; close: () => Promise<void> }> {
  const exe = chromiumPath();
  if (!exe) throw new Error('Chromium not found: install Debian\'s chromium (apt-get install -y chromium) or set $CHROMIUM.');
  const profile = mkdtempSync(join(tmpdir(), 'isovae-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: exe, headless: true, args: chromiumArgs(gpu), viewport, timeout: 30_000 });
  return {
    ctx,
    close: async () => {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
