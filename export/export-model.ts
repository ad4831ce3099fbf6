import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IsovaeError } from '../core/errors.ts';
import { MANIFEST_FILE, parseManifest, type ModelManifest } from '../core/model-dir.ts';
import type { GraphOptions } from './model-files.ts';
import { formatParityTable, type ParityReference, type ParityTable } from './parity-types.ts';
import { checkParity, type ParityOptions } from './validate.ts';
import { assertFiniteWeights, withStagedModelDir, writeModelFiles, type ExportSource } from './write-model-dir.ts';

/** Options of an export: graph choices plus the export-time parity check. */
export interface ExportOptions extends GraphOptions {
  /** Parity-check options (atol, grid, greedy sentences, seed); providers default to ['cpu']. */
  parity?: ParityOptions;
}

/**
 * Throw IsovaeError('E_EXPORT_PARITY') unless `table.ok`, listing the max abs diff of every output
 * and every failure.
 */
export function assertParity(table: ParityTable, where: string): void {
  if (table.ok) return;
  throw new IsovaeError('E_EXPORT_PARITY',
    `${where}: the ONNX graphs do not reproduce the trained model (atol ${table.atol}):\n${formatParityTable(table)}\n` +
    'Nothing was written to the model directory. If the checkpoint is intact (its sha256 verified on load), report the table above as a bug of the exporter.');
}

/**
 * Write the model directory for `src` and, when `reference` is given, validate it against that
 * reference on onnxruntime-node (fails with E_EXPORT_PARITY). Both happen in a staging directory that
 * replaces `outDir` only when everything passed (write-model-dir.ts), so a failed export leaves no
 * loadable model. Returns the manifest and the parity table (null when not validated).
 */
export async function exportFromSource(src: ExportSource, outDir: string, reference: ParityReference | null, opts: ExportOptions = {}): Promise<{ manifest: ModelManifest; parity: ParityTable | null }> {
  assertFiniteWeights(src, `export to ${outDir}`);
  return withStagedModelDir(outDir, async (stage) => {
    const manifest = await writeModelFiles(src, stage, opts);
    if (!reference) return { manifest, parity: null };
    const parity = await checkParity(stage, manifest, reference, opts.parity);
    assertParity(parity, `export to ${outDir}`);
    return { manifest, parity };
  });
}

/**
 * Read and validate `<modelDir>/manifest.json` (core/model-dir.ts `parseManifest`) for the verify
 * command. Throws IsovaeError('E_MANIFEST') naming the file, the field and what to do.
 */
export async function readManifest(modelDir: string): Promise<ModelManifest> {
  const file = join(modelDir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new IsovaeError('E_MANIFEST', `${file}: cannot read the manifest (${(e as Error).message}); is this a model directory written by \`isovae export\`?`, { cause: e });
  }
  return parseManifest(text, file);
}
