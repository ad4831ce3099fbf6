/**
 * Offline install of the packed isovae tarball into a temporary app. `npm install --offline` cannot
 * resolve version ranges after `npm ci` (ci caches tarballs but not the registry documents), so the app gets
 * a package-lock.json: the tarball plus the entries of this repository's lock that the app's
 * dependencies reach, found the way Node resolves them. `npm ci --offline` then installs from npm's cache
 * exactly the versions the repository was tested with, the way an app with a lockfile installs.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One entry of package-lock.json `packages` (the fields this module reads; the rest is copied). */
export interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}
type Packages = Record<string, LockEntry>;

/** The lock path `name` resolves to from the package at lock path `from` ('' = the root), or null. */
export function resolveIn(packages: Packages, name: string, from: string): string | null {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!dir) return null;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up < 0 ? '' : dir.slice(0, up);
  }
}

/**
 * The lock entries needed by `deps` (names of packages the root requires) and everything they require
 * (dependencies, optional dependencies present in the lock, non-optional peers). `dev`/`peer` flags are
 * dropped: they described the repository, not the app. Throws if a required package is missing.
 */
export function lockClosure(packages: Packages, deps: Record<string, string>, from = ''): Packages {
  const out: Packages = {};
  const visit = (requires: Record<string, string>, at: string, optional: ReadonlySet<string>): void => {
    for (const name of Object.keys(requires)) {
      const path = resolveIn(packages, name, at);
      if (path === null) {
        if (optional.has(name)) continue;
        throw new Error(`package-lock.json: "${name}" (required by ${at || 'the app'}) is not in the repository's lock; run npm install.`);
      }
      if (out[path]) continue;
      const { dev: _d, devOptional: _o, peer: _p, ...entry } = packages[path]!;
      out[path] = entry;
      const meta = entry.peerDependenciesMeta ?? {};
      const peers = Object.fromEntries(Object.entries(entry.peerDependencies ?? {}).filter(([n]) => !meta[n]?.optional));
      visit({ ...entry.dependencies, ...peers }, path, new Set());
      visit(entry.optionalDependencies ?? {}, path, new Set(Object.keys(entry.optionalDependencies ?? {})));
    }
  };
  visit(deps, from, new Set());
  return out;
}

/** sha512 integrity string of a file, as package-lock.json records it. */
export function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

export interface AppSpec {
  /** The app directory (exists, empty). */
  dir: string;
  /** The packed isovae tarball. */
  tarball: string;
  /** The repository root (its package.json and package-lock.json). */
  repo: string;
  /** Other packages the app depends on, taken from the repository's lock (name -> range). */
  extra?: Record<string, string>;
  /** package.json fields of the app besides name and dependencies (e.g. type). */
  fields?: Record<string, unknown>;
}

/**
 * Write package.json and package-lock.json of an app that depends on the tarball (and `extra`), then run
 * `npm ci --offline` in it. onnxruntime-node's install script does not run (npm 11 blocks dependency
 * scripts; ONNXRUNTIME_NODE_INSTALL=skip for older npm).
 */
export function installApp(spec: AppSpec): void {
  const pkg = JSON.parse(readFileSync(join(spec.repo, 'package.json'), 'utf8')) as LockEntry & { name: string; bin?: unknown; license?: string; engines?: unknown };
  const lock = JSON.parse(readFileSync(join(spec.repo, 'package-lock.json'), 'utf8')) as { packages: Packages };
  const spec0 = `file:${spec.tarball}`;
  const dependencies = { [pkg.name]: spec0, ...spec.extra };
  const isovae: LockEntry = {
    version: pkg.version!,
    resolved: spec0,
    integrity: integrityOf(spec.tarball),
    license: pkg.license,
    dependencies: pkg.dependencies,
    bin: pkg.bin,
    engines: pkg.engines,
    peerDependencies: pkg.peerDependencies,
    peerDependenciesMeta: pkg.peerDependenciesMeta,
  };
  // The app's own dependencies resolve from the root; isovae's from node_modules/isovae (then the root).
  const closure = { ...lockClosure(lock.packages, spec.extra ?? {}), ...lockClosure({ ...lock.packages, [`node_modules/${pkg.name}`]: isovae }, { [pkg.name]: spec0 }) };
  const app = { name: `${basename(spec.dir)}`, version: '0.0.0', private: true, ...spec.fields, dependencies };
  writeFileSync(join(spec.dir, 'package.json'), `${JSON.stringify(app, null, 2)}\n`);
  const appLock = { name: app.name, version: app.version, lockfileVersion: 3, requires: true, packages: { '': { name: app.name, version: app.version, dependencies }, ...closure } };
  writeFileSync(join(spec.dir, 'package-lock.json'), `${JSON.stringify(appLock, null, 2)}\n`);
  execFileSync('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: spec.dir,
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
}
