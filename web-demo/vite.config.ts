/**
 * Vite config of the isovae web demo.
 * - Dev and preview servers send COOP `same-origin` + COEP `require-corp`, so the page is
 *   cross-origin isolated and onnxruntime-web can use WASM threads (SharedArrayBuffer).
 * - onnxruntime-web is resolved to its non-bundled builds (`onnxruntime-web-use-extern-wasm`); the
 *   `.mjs` glue and `.wasm` binaries are served from node_modules under `ort/` (dev) and copied to
 *   `dist/ort/` (build). No CDN: the demo sets `ort.env.wasm.wasmPaths` to `ort/`.
 * - Models are served from `ISOVAE_MODELS_DIR` (default: `<repo>/models` if it has an index.json,
 *   else the tiny test models of test/browser/fixtures/models) under `models/` (dev) and copied to
 *   `dist/models/` (build).
 */
import { cpSync, createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Connect, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..');
const ortDist = join(repo, 'node_modules', 'onnxruntime-web', 'dist');
/** The glue + binaries of the two builds the demo uses: `onnxruntime-web/wasm` and `onnxruntime-web/webgpu`. */
export const ORT_FILES = [
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
];
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
const TYPES: Record<string, string> = { '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.onnx': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8' };

let warned = false;
/** `ISOVAE_MODELS_DIR`, else `<repo>/models` when it has an index.json, else the tiny test models. */
function modelsDir(): string {
  if (process.env.ISOVAE_MODELS_DIR) return resolve(process.env.ISOVAE_MODELS_DIR);
  const shipped = join(repo, 'models');
  if (existsSync(join(shipped, 'index.json'))) return shipped;
  if (!warned) {
    warned = true;
    console.warn('isovae demo: models/index.json not found; serving the tiny test models of test/browser/fixtures/models (see web-demo/README.md).');
  }
  return join(repo, 'test', 'browser', 'fixtures', 'models');
}

/** Serve `prefix/<file>` from `root` (no directory escapes; `allow` limits the names). */
function serveDir(prefix: string, root: () => string, allow?: readonly string[]): Connect.NextHandleFunction {
  return (req, res, next) => {
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
    const at = path.indexOf(prefix);
    if (at < 0) return next();
    const rel = path.slice(at + prefix.length);
    if (allow && !allow.includes(rel)) return next();
    const base = root();
    const file = normalize(join(base, rel));
    if (!file.startsWith(base + sep) || !existsSync(file) || !statSync(file).isFile()) return next();
    const ext = file.slice(file.lastIndexOf('.'));
    res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
    res.setHeader('Content-Length', String(statSync(file).size));
    for (const [k, v] of Object.entries(isolation)) res.setHeader(k, v);
    createReadStream(file).pipe(res);
  };
}

function isovaeAssets(): Plugin {
  let outDir = '';
  return {
    name: 'isovae-demo-assets',
    configResolved(cfg) {
      outDir = resolve(cfg.root, cfg.build.outDir);
    },
    configureServer(server) {
      server.middlewares.use(serveDir('/ort/', () => ortDist, ORT_FILES));
      server.middlewares.use(serveDir('/models/', modelsDir));
    },
    writeBundle() {
      mkdirSync(join(outDir, 'ort'), { recursive: true });
      for (const f of ORT_FILES) cpSync(join(ortDist, f), join(outDir, 'ort', f));
      const models = modelsDir();
      // A checkout without models still builds; the page then explains how to add models/index.json.
      if (existsSync(models)) cpSync(models, join(outDir, 'models'), { recursive: true, filter: (src) => !src.endsWith('.gitkeep') });
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  plugins: [isovaeAssets()],
  resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] },
  server: { host: '127.0.0.1', headers: isolation, fs: { allow: [repo] } },
  preview: { host: '127.0.0.1', headers: isolation },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 1024 },
});
