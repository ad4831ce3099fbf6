/**
 * The published package's dependency lists against the code: every package the compiled folders import is a
 * dependency or an (optional) peer dependency, and everything a runtime-only app loads (the runtime entries,
 * the server and the runtime CLI commands, followed through static imports) needs only `dependencies`.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../browser/harness.ts';

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };
const build = JSON.parse(readFileSync(join(REPO, 'tsconfig.build.json'), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as { include: string[] };

/** Static import specifiers of a file (`import`/`export ... from`, incl. type-only: declarations keep them). */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

/** The npm package a bare specifier names, or null for relative and Node built-in ones. */
function packageOf(spec: string): string | null {
  if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) return null;
  const parts = spec.split('/');
  return spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('package.json dependencies match the compiled code', () => {
  it('every package imported by a compiled folder is a dependency or a peer dependency', () => {
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies)]);
    const used = new Map<string, string>();
    for (const folder of build.include) {
      for (const file of walk(join(REPO, folder))) for (const s of importsOf(file)) { const p = packageOf(s); if (p) used.set(p, file); }
    }
    expect(used.size).toBeGreaterThanOrEqual(5);
    for (const [p, file] of used) expect(declared.has(p), `${p} (imported by ${file})`).toBe(true);
  });

  it('what a runtime-only app loads statically needs no peer dependency', () => {
    const entries = ['runtime/index.ts', 'runtime/web.ts', 'serve/index.ts', 'cli/main.ts', 'cli/encode.ts', 'cli/generate.ts', 'cli/serve.ts'];
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const s of importsOf(file)) {
        if (s.startsWith('.')) visit(resolve(dirname(file), s));
        const p = packageOf(s);
        if (p) expect(pkg.dependencies[p], `${p} imported by ${file}`).toBeDefined();
      }
    };
    for (const e of entries) visit(join(REPO, e));
    expect(seen.size).toBeGreaterThan(20);
  });
});
