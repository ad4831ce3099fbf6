/**
 * Integrity of checkpoint directories: `checksums.json` holds the sha256 of every other file of the checkpoint
 * and is written last, so its presence marks a complete checkpoint and its hashes catch any later change (a
 * flipped bit, a truncated copy, a file from another run). Checkpoints written before checksums existed have no
 * `checksums.json`; they still load (backward compatible), unverified.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IsovaeError } from '../core/errors.ts';

/** File name of the checksum list inside a checkpoint directory. */
export const CHECKSUMS_FILE = 'checksums.json';

/** Contents of checksums.json: sha256 (lower-case hex) of each file by name. */
export interface Checksums {
  algorithm: 'sha256';
  files: Record<string, string>;
}

/** Lower-case hex sha256 of `bytes`. */
export function sha256File(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Hash every file in `dir` (except checksums.json) and write checksums.json. Call after the last file is written. */
export function writeChecksums(dir: string): void {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    if (name !== CHECKSUMS_FILE) files[name] = sha256File(readFileSync(join(dir, name)));
  }
  const sums: Checksums = { algorithm: 'sha256', files };
  writeFileSync(join(dir, CHECKSUMS_FILE), JSON.stringify(sums, null, 1) + '\n');
}

/** The checksum list of `dir`, or null for a checkpoint written before checksums existed. Throws E_CHECKPOINT if unreadable. */
export function readChecksums(dir: string): Checksums | null {
  const file = join(dir, CHECKSUMS_FILE);
  if (!existsSync(file)) return null;
  let sums: Checksums;
  try {
    sums = JSON.parse(readFileSync(file, 'utf8')) as Checksums;
  } catch (err) {
    throw new IsovaeError('E_CHECKPOINT', `${file} is not valid JSON (${(err as Error).message}); the checkpoint is damaged, restore it or re-train.`, { cause: err });
  }
  if (sums?.algorithm !== 'sha256' || typeof sums.files !== 'object' || sums.files === null) {
    throw new IsovaeError('E_CHECKPOINT', `${file}: expected {"algorithm":"sha256","files":{...}}; the checkpoint is damaged, restore it or re-train.`);
  }
  return sums;
}

/**
 * Verify the sha256 of `names` (files of `dir` about to be read) against checksums.json. Returns false for a
 * legacy checkpoint (no checksums.json: nothing to verify), true when verified. Throws
 * `IsovaeError('E_CHECKPOINT')` naming the file when a listed file is missing or its bytes changed.
 */
export function verifyChecksums(dir: string, names: readonly string[]): boolean {
  const sums = readChecksums(dir);
  if (!sums) return false;
  for (const name of names) {
    const file = join(dir, name);
    const expected = sums.files[name];
    if (expected === undefined) {
      if (existsSync(file)) throw new IsovaeError('E_CHECKPOINT', `${file} is not listed in ${CHECKSUMS_FILE}: it was added after the checkpoint was written; restore the checkpoint or re-train.`);
      continue; // an optional file this checkpoint does not have (e.g. optimizer state)
    }
    if (!existsSync(file)) throw new IsovaeError('E_CHECKPOINT', `${file} is missing (listed in ${CHECKSUMS_FILE}); the checkpoint is incomplete, restore it or re-train.`);
    if (sha256File(readFileSync(file)) !== expected) {
      throw new IsovaeError('E_CHECKPOINT', `${file}: sha256 does not match ${CHECKSUMS_FILE}; the file was damaged or replaced after the checkpoint was written. Restore it from a backup or re-train.`);
    }
  }
  return true;
}

/**
 * True if `dir` holds a complete checkpoint: checksums.json present and every listed file intact, or (legacy,
 * no checksums) config.json, weights and state.json present (state.json was always written last).
 */
export function isCompleteCheckpoint(dir: string): boolean {
  if (!existsSync(join(dir, 'config.json'))) return false;
  try {
    const sums = readChecksums(dir);
    if (!sums) return ['weights.bin', 'weights.json', 'state.json'].every((f) => existsSync(join(dir, f)));
    verifyChecksums(dir, Object.keys(sums.files));
    return true;
  } catch {
    return false;
  }
}
