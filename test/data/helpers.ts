import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { IsovaeError, type IsovaeErrorCode } from '../../core/errors.ts';

/** A fresh temp directory holding `files` (name -> text or bytes); returns its path. */
export function makeDir(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'isovae-data-'));
  for (const [name, body] of Object.entries(files)) writeFileSync(join(dir, name), body);
  return dir;
}

/** Remove a directory made by `makeDir`. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Await `p` (or call it) and assert it fails with IsovaeError `code` whose message matches `where`. */
export async function expectDataError(p: Promise<unknown> | (() => unknown), code: IsovaeErrorCode, where: RegExp): Promise<IsovaeError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(IsovaeError);
  const e = err as IsovaeError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(where);
  return e;
}
