#!/usr/bin/env node
// `npm run build` (also `prepack`): compile the source folders, where they are, into dist/ as ES modules
// with .d.ts declarations and source maps (tsconfig.build.json). Plain JS so it runs before anything is built.
//   1. tsc rewrites relative `.ts` import specifiers to `.js` in the JavaScript (rewriteRelativeImportExtensions);
//      the declarations keep `.ts` specifiers, which TypeScript consumers without allowImportingTsExtensions
//      reject, so step 2 rewrites them the same way.
//   3. copies the hand-written `.mjs` files (worker entries) that tsc does not compile.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const config = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
const folders = config.include;

/** Every file under `dir` (recursive), as absolute paths. */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

// 2. `.d.ts`: './x.ts' -> './x.js' in `from '...'` and `import('...')` specifiers (relative ones only).
let rewritten = 0;
for (const file of walk(dist).filter((f) => f.endsWith('.d.ts'))) {
  const src = readFileSync(file, 'utf8');
  const out = src.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g, (_, a, p, b) => `${a}${p}.js${b}`);
  if (out !== src) {
    writeFileSync(file, out);
    rewritten++;
  }
}

// 3. Hand-written ES modules next to the sources.
let copied = 0;
for (const folder of folders) {
  for (const file of walk(join(root, folder)).filter((f) => f.endsWith('.mjs'))) {
    cpSync(file, join(dist, relative(root, file)));
    copied++;
  }
}
const files = walk(dist);
console.log(`build: dist/ has ${files.filter((f) => f.endsWith('.js')).length} modules, ${files.filter((f) => f.endsWith('.d.ts')).length} declaration files (${rewritten} rewritten), ${copied} copied .mjs`);
