import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { writeModelDir } from '../../export/write-model-dir.ts';
import { loadModel } from '../../runtime/index.ts';
import { expectClose, randomWeights, tinyModel } from './fixture.ts';
import { refEncodeRow } from './reference.ts';

const RUNTIME = resolve(dirname(fileURLToPath(import.meta.url)), '../../runtime');

/** Import specifiers of a TS file (static `import ... from '...'` and `export ... from '...'`). */
function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  return [...src.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

/** Every file reachable from `entry` through relative imports, with its imports. */
function importGraph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    const specs = importsOf(file);
    seen.set(file, specs);
    for (const s of specs) if (s.startsWith('.')) visit(resolve(dirname(file), s));
  };
  visit(entry);
  return seen;
}

describe('runtime package boundary', () => {
  it('runtime/ never imports tfjs, train/ or export/', () => {
    for (const f of readdirSync(RUNTIME).filter((n) => n.endsWith('.ts'))) {
      for (const spec of importsOf(join(RUNTIME, f))) {
        expect(spec, `runtime/${f}`).not.toMatch(/tensorflow|\/train\/|\/export\//);
      }
    }
  });

  it('the web entry reaches no node: module and no onnxruntime-node', () => {
    const graph = importGraph(join(RUNTIME, 'web.ts'));
    expect(graph.size).toBeGreaterThan(5);
    for (const [file, specs] of graph) {
      for (const s of specs) expect(s, file).not.toMatch(/^node:|onnxruntime-node|tensorflow/);
    }
  });

  it('loads a directory written by the exporter (export/write-model-dir.ts, the real manifest)', async () => {
    const fx = tinyModel('diag');
    const dir = mkdtempSync(join(tmpdir(), 'isovae-rt-export-'));
    await writeModelDir({ model: fx.cfg, weights: randomWeights(fx.cfg, 9), maxLen: 7, vocab: fx.vocab, command: 'test' }, dir);
    const model = await loadModel(dir, { threads: 1 });
    try {
      expect(model.maxLen).toBe(7);
      const res = await model.encode(['the cat sat']);
      const ref = refEncodeRow(fx.cfg, randomWeights(fx.cfg, 9), model.toIds('the cat sat').ids);
      expectClose(res.mean, ref.mean, 1e-4, 'mean via exporter dir');
      expect((await model.impute(['the'], { mode: 'faithful' }))[0]!.words[0]).toBe('the');
    } finally {
      await model.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
