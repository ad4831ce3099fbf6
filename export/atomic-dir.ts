/**
 * Atomic replacement of a model directory: the export writes into a hidden staging directory next to the target,
 * validates it there, and only then swaps it into place (two renames). A failed or interrupted export therefore
 * leaves no loadable model under the target name (and an earlier model there untouched), and a successful one
 * leaves no stale file of an earlier export in the directory: it is replaced as a whole. Files that other tools
 * add to a model directory (scripts/ship-models.ts writes map.json after exporting) are therefore not kept;
 * they describe the previous weights and must be regenerated, which ship-models.ts does.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { IsovaeError } from '../core/errors.ts';

/**
 * Check that `outDir` can be replaced by a model directory: it does not exist, is empty, or is a model
 * directory (holds manifest.json). Throws `IsovaeError('E_OUTPUT')` for a file or a directory with other
 * content (so an export never deletes a user's files).
 */
export function checkModelDirTarget(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new IsovaeError('E_OUTPUT', `export: "${outDir}" is a file; give a directory path for the model.`);
  const entries = readdirSync(outDir);
  if (entries.length > 0 && !entries.includes('manifest.json')) {
    throw new IsovaeError('E_OUTPUT', `export: "${outDir}" is not empty and is not a model directory (no manifest.json); refusing to replace its ${entries.length} entries. Choose a new or empty directory.`);
  }
}

/** Create a fresh staging directory next to `outDir` (same file system, so the final rename is atomic). */
export async function createStagingDir(outDir: string): Promise<string> {
  const abs = resolve(outDir);
  await mkdir(dirname(abs), { recursive: true });
  const stage = join(dirname(abs), `.${basename(abs)}.export-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(stage);
  return stage;
}

/** Swap the complete staging directory `stage` into `outDir`, removing the previous content of `outDir`. */
export async function commitStagingDir(stage: string, outDir: string): Promise<void> {
  const abs = resolve(outDir);
  if (!existsSync(abs)) {
    await rename(stage, abs);
    return;
  }
  const old = `${stage}.old`;
  await rename(abs, old);
  try {
    await rename(stage, abs);
  } catch (err) {
    await rename(old, abs); // put the previous model back
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}

/** Remove a staging directory after a failure (never throws). */
export async function discardStagingDir(stage: string): Promise<void> {
  await rm(stage, { recursive: true, force: true }).catch(() => {});
}
