/**
 * Write `<modelsDir>/index.json` (format in web-demo/src/formats.ts) listing every sub-directory with a
 * manifest.json, titled from the manifest (posterior and training C), with the quantized variants found in
 * `<dir>/int8/` and `<dir>/fp16/` (written by `isovae quantize`) as `dtypes`, and the int8 variant's scheme as
 * `int8Scheme` (read from its manifest):
 *   npx tsx web-demo/scripts/make-index.ts [modelsDir=models]
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestInt8Scheme, type ModelManifest } from '../../core/model-dir.ts';

/** Build the index object for `modelsDir` (IGP models first, then DGP, then the rest, by name). */
export function buildIndex(modelsDir: string): { format: string; formatVersion: number; models: { dir: string; title: string; dtypes?: string[]; int8Scheme?: string }[] } {
  const rank: Record<string, number> = { iso: 0, diag: 1, ae: 2 };
  const models = readdirSync(modelsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(modelsDir, d.name, 'manifest.json')))
    .map((d) => {
      const m = JSON.parse(readFileSync(join(modelsDir, d.name, 'manifest.json'), 'utf8')) as { model: { posterior: string }; training?: { c?: number } };
      const kind = m.model.posterior === 'iso' ? 'IGP' : m.model.posterior === 'diag' ? 'DGP' : 'AE';
      const c = m.training?.c;
      const dtypes = ['int8', 'fp16'].filter((t) => existsSync(join(modelsDir, d.name, t, 'manifest.json')));
      const int8Scheme = dtypes.includes('int8')
        ? manifestInt8Scheme(JSON.parse(readFileSync(join(modelsDir, d.name, 'int8', 'manifest.json'), 'utf8')) as Pick<ModelManifest, 'dtype' | 'quantization'>)
        : null;
      return { dir: d.name, title: c === undefined || kind === 'AE' ? kind : `${kind} (C = ${c})`, r: rank[m.model.posterior] ?? 3, dtypes, int8Scheme };
    })
    .sort((a, b) => a.r - b.r || a.dir.localeCompare(b.dir))
    .map(({ dir, title, dtypes, int8Scheme }) => (dtypes.length > 0 ? { dir, title, dtypes, ...(int8Scheme ? { int8Scheme } : {}) } : { dir, title }));
  return { format: 'isovae-models-index', formatVersion: 1, models };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2] ?? 'models';
  const index = buildIndex(dir);
  if (index.models.length === 0) {
    console.error(`${dir}: no model directories (sub-directories with manifest.json); export one with isovae export.`);
    process.exit(1);
  }
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  console.log(`${join(dir, 'index.json')}: ${index.models.map((m) => m.dir).join(', ')}`);
}
