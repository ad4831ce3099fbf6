/**
 * The per-run record `runs/<id>/metrics.json`: what the run was (grid coordinates and the training
 * configuration) and every metric of it. Its presence, next to a finished checkpoint, marks the run
 * as done for resumption.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import type { ClassificationResult, RunMetrics } from '../eval/index.ts';
import type { EpochRecord } from '../train/checkpoint.ts';
import type { GridRun } from './grid.ts';

/** The training configuration without the keys that do not change the trained model. */
export type ComparableConfig = Omit<TrainConfig, 'outDir' | 'workers' | 'backend' | 'engine' | 'provider' | 'strict' | 'threads'>;

/** One finished, evaluated run. */
export interface RunRecord extends GridRun {
  config: ComparableConfig;
  trainSentences: number;
  testSentences: number;
  /** Decode length of the reconstructions: longest evaluated test row incl. `<eos>`. */
  tTest: number;
  /** The trainer's final test figures (rec, kl, nelbo, loss, au, sentences). */
  trainer: Record<string, number> | null;
  metrics: RunMetrics;
  /** Diagnostic: classification on standardised features (see evaluate.ts RunEvaluation). */
  standardized?: { classification: ClassificationResult; robustness: ClassificationResult };
  /** Wall-clock seconds (trainSeconds null when unknown, e.g. trained by an older version). */
  timing: { trainSeconds: number | null; evalSeconds: number };
  /** Per-epoch training and validation means (nats per sentence), as the trainer logged them. */
  history?: EpochRecord[];
  /** Early stopping (config patience > 0): the epoch whose weights were evaluated, and the epoch training stopped after. */
  earlyStopping?: { bestEpoch: number; bestValidLoss: number; stoppedAfterEpoch: number | null };
}

/**
 * `cfg` (over the defaults) without outDir / workers / backend / engine / provider / strict / threads, keys sorted (so JSON
 * comparison is stable). The engine (ort or tfjs; they agree up to float rounding), data-parallel
 * workers and the backend change speed, not the model (the trainer's workers are bit-compatible
 * up to float summation order).
 */
export function comparableConfig(cfg: TrainConfig): ComparableConfig {
  // Defaults first, so a checkpoint from before a new option was added still compares equal.
  const { outDir: _o, workers: _w, backend: _b, engine: _e, provider: _p, strict: _s, threads: _t, ...rest } = { ...DEFAULT_TRAIN_CONFIG, ...cfg };
  return Object.fromEntries(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b))) as ComparableConfig;
}

/** Writes `record` as `<runDir>/metrics.json` (which marks the run as done). */
export function writeRunRecord(runDir: string, record: RunRecord): void {
  writeFileSync(join(runDir, 'metrics.json'), JSON.stringify(record, null, 1) + '\n');
}

/** Reads `<runDir>/metrics.json`, or null when it does not exist. IsovaeError E_CHECKPOINT if damaged. */
export function readRunRecord(runDir: string): RunRecord | null {
  const file = join(runDir, 'metrics.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch (err) {
    throw new IsovaeError('E_CHECKPOINT', `${file} is not valid JSON (${(err as Error).message}); delete it to re-evaluate the run.`, { cause: err });
  }
}

/**
 * Committed records (`--records DIR`): `DIR/<id>.json` holds a finished run's RunRecord, and `DIR/<id>.map-pca.svg`,
 * `DIR/<id>.map-tsne.svg` its maps. They are small, contain numbers only (no dataset text), and are meant to be
 * committed as the grid progresses, so that a later session on another machine (without `runs/`) skips the runs they
 * describe instead of training them again.
 */
export function committedRecordFile(recordsDir: string, id: string): string {
  return join(recordsDir, `${id}.json`);
}

/** Reads `DIR/<id>.json`, or null when absent. IsovaeError E_CHECKPOINT naming the file when it is damaged. */
export function readCommittedRecord(recordsDir: string, id: string): RunRecord | null {
  const file = committedRecordFile(recordsDir, id);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
  } catch (err) {
    throw new IsovaeError('E_CHECKPOINT', `${file} is not valid JSON (${(err as Error).message}); restore it from git (git checkout -- ${file}) or delete it to train the run again.`, { cause: err });
  }
}

/** Copies a finished run's record and its maps from `runDir` into `recordsDir` (created if needed). */
export function commitRunRecord(recordsDir: string, runDir: string, record: RunRecord): void {
  mkdirSync(recordsDir, { recursive: true });
  for (const method of ['pca', 'tsne']) {
    const src = join(runDir, `map-${method}.svg`);
    if (existsSync(src)) copyFileSync(src, join(recordsDir, `${record.id}.map-${method}.svg`));
  }
  // Written last (via a temporary name): its presence marks the run as done for later sessions.
  const file = committedRecordFile(recordsDir, record.id);
  writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 1) + '\n');
  renameSync(`${file}.tmp`, file);
}
