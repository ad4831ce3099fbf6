/**
 * The guard in front of a training run directory: training never silently discards progress. Without `--resume`
 * a directory that already holds a checkpoint is refused unless `--overwrite` is given; with `--resume` a missing
 * checkpoint is an error that says what was found, and an interrupted save (see saveCheckpoint: `<ck>.tmp` then
 * `<ck>.old`) is completed explicitly, with a message.
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IsovaeError } from '../core/errors.ts';
import { isCompleteCheckpoint } from './checkpoint-integrity.ts';

/** How `trainModel` treats an existing checkpoint. */
export interface RunDirOptions {
  /** true: continue from the checkpoint (error if there is none); 'if-present': continue if there is one, else start. */
  resume: boolean | 'if-present';
  /** Start from scratch even if the directory holds a checkpoint (it is replaced at the first save). */
  overwrite: boolean;
  log: (line: string) => void;
}

/** "epoch 3, step 120, finished" from a checkpoint's state.json (best effort, for messages). */
function describe(dir: string): string {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { epoch: number; step: number; finished: boolean };
    return `${s.finished ? 'finished' : `at epoch ${s.epoch + 1}`}, step ${s.step}`;
  } catch {
    return 'unreadable state';
  }
}

/**
 * Decide between resuming and starting fresh in the checkpoint folder `ckDir` (a run's `checkpoint/`), repairing
 * an interrupted save first. Returns 'resume' when `ckDir` now holds the checkpoint to continue from, 'fresh'
 * otherwise. Throws `IsovaeError('E_RUN_EXISTS')` when a checkpoint exists and neither resume nor overwrite was
 * asked, and `E_CHECKPOINT` when `--resume` finds nothing usable (naming what it found).
 */
export function prepareRunDir(ckDir: string, opts: RunDirOptions): 'resume' | 'fresh' {
  const tmp = `${ckDir}.tmp`;
  const old = `${ckDir}.old`;
  const has = existsSync(join(ckDir, 'config.json'));
  const tmpComplete = existsSync(tmp) && isCompleteCheckpoint(tmp);
  const oldComplete = existsSync(old) && isCompleteCheckpoint(old);
  if (!opts.resume) {
    const found = has ? ckDir : tmpComplete ? tmp : oldComplete ? old : null;
    if (!found) return 'fresh';
    if (!opts.overwrite) {
      throw new IsovaeError('E_RUN_EXISTS', `${found} already holds a checkpoint (${describe(found)}); continue it with --resume, start over with --overwrite (replaces it), or choose another --out.`);
    }
    opts.log(`--overwrite: starting from scratch; the checkpoint in ${found} (${describe(found)}) will be replaced at the first save`);
    return 'fresh';
  }
  // A complete .tmp is always the newest state: every save starts by deleting it and writes checksums.json last.
  if (tmpComplete) {
    opts.log(`recovering ${tmp}: a save was interrupted after the new checkpoint was complete (${describe(tmp)}); completing it`);
    rmSync(old, { recursive: true, force: true });
    if (has) renameSync(ckDir, old);
    renameSync(tmp, ckDir);
    rmSync(old, { recursive: true, force: true });
    return 'resume';
  }
  if (has) return 'resume';
  if (oldComplete) {
    opts.log(`recovering ${old}: a save was interrupted before the new checkpoint was complete; continuing from the previous one (${describe(old)})`);
    renameSync(old, ckDir);
    rmSync(tmp, { recursive: true, force: true });
    return 'resume';
  }
  if (opts.resume === 'if-present') return 'fresh';
  const seen = [existsSync(ckDir) ? `${ckDir} without config.json` : null, existsSync(tmp) ? `an incomplete ${tmp}` : null, existsSync(old) ? `an incomplete ${old}` : null].filter((x) => x !== null);
  throw new IsovaeError('E_CHECKPOINT', `--resume: no checkpoint to continue from in ${ckDir} (found ${seen.length ? seen.join(' and ') : 'nothing'}); ` +
    'check --out, or train from scratch without --resume.');
}
