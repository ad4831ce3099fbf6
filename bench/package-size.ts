/**
 * `npm run bench:package`: what an app installs. Packs the tarball (prepack builds dist/), then installs it
 * offline (test/package/offline-app.ts: npm ci --offline from the repository's lock) into two temporary apps:
 * runtime-only (`npm install isovae`) and training (isovae + its optional peer dependencies), and prints the
 * tarball's packed and unpacked size and file count, and each app's node_modules size (`du -sm`, MiB on disk)
 * with its largest packages. Sizes, not timings: safe to run on a busy machine. Needs `npm ci` first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { installApp } from '../test/package/offline-app.ts';

const REPO = resolve(import.meta.dirname, '..');

/** Disk usage of `dir` in MiB (`du -sm`). */
function mib(dir: string): number {
  const out = spawnSync('du', ['-sm', dir], { encoding: 'utf8' }).stdout;
  return Number(out.split('\t')[0]);
}

/** The `n` largest top-level packages of `nodeModules` (scopes expanded), in MiB. */
function largest(nodeModules: string, n: number): string {
  const dirs = readdirSync(nodeModules).filter((d) => !d.startsWith('.'))
    .flatMap((d) => (d.startsWith('@') ? readdirSync(join(nodeModules, d)).map((s) => `${d}/${s}`) : [d]));
  return dirs.map((d) => ({ d, m: mib(join(nodeModules, d)) })).sort((a, b) => b.m - a.m).slice(0, n).map(({ d, m }) => `${d} ${m}`).join(', ');
}

const root = mkdtempSync(join(tmpdir(), 'isovae-size-'));
try {
  const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', root, '--loglevel=error'], { cwd: REPO, encoding: 'utf8' });
  const info = JSON.parse(packed.slice(packed.indexOf('['))) as Array<{ filename: string; size: number; unpackedSize: number; entryCount: number }>;
  const t = info[0]!;
  console.log(`tarball ${t.filename}: ${(t.size / 1e6).toFixed(2)} MB packed, ${(t.unpackedSize / 1e6).toFixed(2)} MB unpacked, ${t.entryCount} files`);
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
  for (const [name, extra] of [['runtime-only', {}], ['training', pkg.peerDependencies]] as const) {
    const dir = join(root, name);
    mkdirSync(dir);
    installApp({ dir, tarball: join(root, t.filename), repo: REPO, extra, fields: { type: 'module' } });
    const nm = join(dir, 'node_modules');
    console.log(`${name} app: node_modules ${mib(nm)} MiB (du -sm); largest (MiB): ${largest(nm, 6)}`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
