/**
 * A small tmpfs for tests that need a real full file system (ENOSPC from the kernel). Mounting needs root with
 * CAP_SYS_ADMIN (true in the project's container, often false elsewhere): `mountTmpfs` returns null when it
 * cannot mount, and the tests that need it are skipped; the ENOSPC paths are also tested with injected streams.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Mount a tmpfs of `kib` KiB; returns its path and an unmount-and-remove function, or null if not allowed here. */
export function mountTmpfs(kib: number): { dir: string; release: () => void } | null {
  const parent = mkdtempSync(join(tmpdir(), 'isovae-tmpfs-'));
  const dir = join(parent, 'fs');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(parent, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    release: () => {
      execFileSync('umount', [dir], { stdio: 'ignore' });
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
