/**
 * `reproduce()`: trains and evaluates the paper's grid on one dataset, resumably, then writes the
 * report (issue #4 item 2). Layout of `<out>/`:
 *   runs/<id>/checkpoint/      the trainer's checkpoint (resumed when unfinished)
 *   runs/<id>/metrics.json     RunRecord: config + every metric; its presence marks a run done
 *   runs/<id>/qualitative.json imputations, homotopy, prior samples
 *   runs/<id>/map-pca.svg, map-tsne.svg (C = 15 grid runs)
 *   README.md, results.json, *.svg  the report (rewritten after every run)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DataSource, TrainConfig } from '../core/config.ts';
import { IsovaeError } from '../core/errors.ts';
import type { PaperDataset } from '../eval/index.ts';
import { initBackend, type BackendChoice } from '../train/backend.ts';
import { loadCheckpoint } from '../train/checkpoint.ts';
import { formatDataReport, loadDataset } from '../train/data/index.ts';
import { trainModel } from '../train/trainer.ts';
import { evaluateCheckpoint, spectrumOfCheckpoint } from './evaluate.ts';
import { DEFAULT_FRACTIONS, gridRuns, runConfig, trainSentences, type GridRun } from './grid.ts';
import { presetOf, type Scale } from './presets.ts';
import { GridBar } from './progress.ts';
import { writeReport } from './report.ts';
import { commitRunRecord, committedRecordFile, comparableConfig, readCommittedRecord, readRunRecord, writeRunRecord, type RunRecord } from './records.ts';

/** Options of {@link reproduce}; defaults in brackets. */
export interface ReproduceOptions {
  /** [brown] Dataset. */
  data: DataSource;
  /** [tiny] Scale preset. */
  scale: Scale;
  /** Output directory (runs and report). */
  out: string;
  /** [0, 1, 2] Training seeds. */
  seeds: readonly number[];
  /** [0.001, 0.01, 0.1, 1] Sample-efficiency fractions (1 = the grid's C = 15 runs). */
  fractions: readonly number[];
  /** [all] Subset of the grid (see grid.ts `gridRuns`). */
  only: readonly string[];
  /** [1] Data-parallel gradient workers per training run. */
  workers: number;
  /** [auto] tfjs backend (tfjs engine, and the evaluation's reference model). */
  backend: BackendChoice;
  /** [ort] Training engine of every run (ort: onnxruntime; tfjs: the reference engine). */
  engine: 'ort' | 'tfjs';
  /**
   * [{}] Training options over the preset's (e.g. `{ maxTrainSentences: 6000 }`); a run's posterior,
   * c, cSteps, seed, trainFraction and outDir are always set by the grid.
   */
  overrides: Partial<TrainConfig>;
  /** [dbpedia] Which of the paper's datasets the report compares against. */
  paper: PaperDataset;
  /** [false] Do not train or evaluate; rebuild the report from finished runs. */
  reportOnly: boolean;
  /** [out] Directory of the report files (e.g. docs/results/<dataset>); runs stay under `out`. */
  reportDir?: string;
  /**
   * Directory of committed records (`--records DIR`, e.g. docs/results/<dataset>/runs): every finished run's record
   * is copied there, and a run whose record is there (same configuration) is done, even where `out` has no
   * checkpoint (another machine, a later session). The report reads records from it first.
   */
  recordsDir?: string;
  /** [''] Markdown inserted after the report's header (`--notes FILE`). */
  notes: string;
  /** Command line recorded in the report. */
  command: string;
  /** [stderr] Log lines. */
  log: (line: string) => void;
  /** [true] Show the grid progress bar on stderr. */
  progress: boolean;
  /** Stops after the current training step (checkpoint written) and writes the report. */
  signal?: AbortSignal;
}

/** What {@link reproduce} did. */
export interface ReproduceResult {
  out: string;
  trained: string[];
  evaluated: string[];
  skipped: string[];
  interrupted: boolean;
  /** Paths of the report files written. */
  files: string[];
}

/**
 * Runs the selected grid: for each run, a finished run (checkpoint with state.finished and its
 * metrics.json, same configuration) is skipped; an unfinished checkpoint is resumed; a finished
 * checkpoint without metrics is only evaluated. A checkpoint trained with a different
 * configuration is an error (E_CONFIG) rather than being overwritten. The report is rewritten
 * after every run, so partial grids are reported too.
 */
export async function reproduce(options: Partial<ReproduceOptions> & { out: string }): Promise<ReproduceResult> {
  const o: ReproduceOptions = {
    data: { kind: 'brown' }, scale: 'tiny', seeds: [0, 1, 2], fractions: DEFAULT_FRACTIONS, only: [], workers: 1, backend: 'auto', engine: 'ort',
    overrides: {}, paper: 'dbpedia', reportOnly: false, notes: '', command: '', log: (l) => process.stderr.write(l + '\n'), progress: true, ...options,
  };
  const out = resolve(o.out);
  const base = presetOf(o.scale);
  const preset = { ...base, train: { ...base.train, ...o.overrides } };
  for (const f of o.fractions) if (!(f > 0 && f <= 1)) throw new RangeError(`--fractions: ${f} is not in (0, 1]`);
  await initBackend(o.backend);
  const p = preset.train;
  const ds = await loadDataset(o.data, { vocabWords: p.vocabWords!, maxLen: p.maxLen!, seed: 0 });
  o.log(formatDataReport(ds.report));
  const runs = gridRuns({ seeds: o.seeds, fractions: o.fractions, only: o.only });
  const nTrain = ds.train.ids.length;
  const configs = new Map(runs.map((r) => [r.id, runConfig(r, preset, o.data, out, nTrain, { workers: o.workers, backend: o.backend, engine: o.engine })]));
  const steps = (cfg: TrainConfig) => Math.ceil(trainSentences(nTrain, cfg.trainFraction, cfg.maxTrainSentences) / cfg.batchSize) * cfg.epochs;
  const fullSteps = steps(configs.get(runs[0]?.id ?? '') ?? runConfig(gridRuns({ seeds: [0], fractions: [1], only: [] })[0]!, preset, o.data, out, nTrain));
  const units = (r: GridRun) => steps(configs.get(r.id)!) + 0.2 * fullSteps; // evaluation ~ a fifth of a full training run
  const unitsTotal = runs.reduce((a, r) => a + units(r), 0);
  mkdirSync(out, { recursive: true });
  const meta = { dataset: ds.name, classes: ds.classes, scale: o.scale, preset, seeds: [...o.seeds], fractions: [...o.fractions], only: [...o.only], paper: o.paper, command: o.command, notes: o.notes };
  const result: ReproduceResult = { out, trained: [], evaluated: [], skipped: [], interrupted: false, files: [] };
  const bar = o.progress ? new GridBar() : null;
  const say = (l: string) => (bar ? bar.log(l) : o.log(l));
  let unitsDone = 0;
  let unitsThisCall = 0;
  let seconds = 0;
  const recordsDir = o.recordsDir ? resolve(o.recordsDir) : null;
  const recordOf = (id: string) => (recordsDir ? readCommittedRecord(recordsDir, id) : null) ?? readRunRecord(join(out, 'runs', id));
  const report = () => (result.files = writeReport(out, runs.map((r) => recordOf(r.id)).filter((x): x is RunRecord => x !== null), meta, o.reportDir ? resolve(o.reportDir) : out, recordsDir ?? undefined));
  for (const [i, run] of runs.entries()) {
    if (o.signal?.aborted) {
      result.interrupted = true; // Ctrl-C during an evaluation: stop before the next run
      break;
    }
    const cfg = configs.get(run.id)!;
    const dir = cfg.outDir;
    const committed = recordsDir ? readCommittedRecord(recordsDir, run.id) : null;
    if (committed && JSON.stringify(committed.config) !== JSON.stringify(comparableConfig(cfg))) {
      throw new IsovaeError('E_CONFIG', `${committedRecordFile(recordsDir!, run.id)} records run ${run.id} trained with a different configuration than --scale ${o.scale} implies now; use another --records directory, or delete that file to train the run again.`);
    }
    if (committed) {
      // Done in an earlier session (possibly on another machine): nothing to train or evaluate.
      result.skipped.push(run.id);
      unitsDone += units(run);
      continue;
    }
    const rec = readRunRecord(dir);
    const ckFinished = existsSync(join(dir, 'checkpoint', 'state.json')) ? loadCheckpoint(dir) : null;
    if (ckFinished && JSON.stringify(comparableConfig(ckFinished.train)) !== JSON.stringify(comparableConfig(cfg))) {
      throw new IsovaeError('E_CONFIG', `${dir}: its checkpoint was trained with a different configuration than --scale ${o.scale} implies now; use another --out directory or delete ${dir}.`);
    }
    if ((rec && ckFinished?.state.finished) || o.reportOnly) {
      if (rec && ckFinished && !rec.metrics.spectrum && !o.reportOnly) {
        // Records from before the active-directions diagnostic: add it (encoding only, seconds).
        rec.metrics.spectrum = spectrumOfCheckpoint(ckFinished, ds);
        writeRunRecord(dir, rec);
        say(`== ${run.id}: added the active-directions diagnostic (${rec.metrics.spectrum.activeDirections} directions)`);
      }
      if (rec) {
        result.skipped.push(run.id);
        if (recordsDir && !o.reportOnly) commitRunRecord(recordsDir, dir, rec); // finished before --records was given
      }
      unitsDone += units(run);
      continue;
    }
    const t0 = performance.now();
    const show = (phase: string, extra = 0) =>
      bar?.update({ done: i, total: runs.length, current: run.id, phase, unitsDone: unitsDone + extra, unitsTotal, seconds: seconds + (performance.now() - t0) / 1000, unitsThisCall: unitsThisCall + extra });
    let trainSeconds: number | null = null;
    if (!ckFinished?.state.finished) {
      say(`== ${run.id}: training (${cfg.posterior}${run.c === null ? '' : ` C=${cfg.c}`}, seed ${cfg.seed}, ${(cfg.trainFraction * 100).toPrecision(3)}% of the data, cSteps ${cfg.cSteps})`);
      const r = await trainModel(cfg, {
        dataset: ds, resume: 'if-present', command: o.command, log: (l) => say(`   ${run.id}: ${l}`), ...(o.signal ? { signal: o.signal } : {}),
        onProgress: (pi) => show(`epoch ${pi.epoch}/${pi.epochs} ${Math.floor((100 * pi.batch) / pi.batches)}%`, (pi.epoch - 1) * pi.batches + pi.batch),
      });
      if (r.interrupted) {
        result.interrupted = true;
        break;
      }
      trainSeconds = (performance.now() - t0) / 1000;
      writeFileSync(join(dir, 'train-timing.json'), JSON.stringify({ trainSeconds, steps: r.steps, backend: r.backend, engine: cfg.engine, workers: cfg.workers }) + '\n');
      result.trained.push(run.id);
    }
    show('evaluating', steps(cfg));
    const ck = loadCheckpoint(dir);
    const ev = evaluateCheckpoint(ck, run, ds, preset, say);
    const timingFile = join(dir, 'train-timing.json');
    if (trainSeconds === null && existsSync(timingFile)) trainSeconds = (JSON.parse(readFileSync(timingFile, 'utf8')) as { trainSeconds: number }).trainSeconds;
    const record: RunRecord = {
      ...run, config: comparableConfig(ck.train), trainSentences: ck.dataset.sizes.train, testSentences: ev.testSentences, tTest: ev.tTest,
      trainer: ck.metrics ?? null, metrics: ev.metrics, standardized: ev.standardized, timing: { trainSeconds, evalSeconds: ev.evalSeconds },
      history: ck.state.history,
      ...(ck.state.best ? { earlyStopping: { bestEpoch: ck.state.best.epoch, bestValidLoss: ck.state.best.validLoss, stoppedAfterEpoch: ck.state.stoppedAfterEpoch ?? null } } : {}),
    };
    writeFileSync(join(dir, 'qualitative.json'), JSON.stringify(ev.qualitative, null, 1) + '\n');
    if (ev.maps.pca) writeFileSync(join(dir, 'map-pca.svg'), ev.maps.pca);
    if (ev.maps.tsne) writeFileSync(join(dir, 'map-tsne.svg'), ev.maps.tsne);
    writeRunRecord(dir, record);
    if (recordsDir) commitRunRecord(recordsDir, dir, record);
    result.evaluated.push(run.id);
    unitsDone += units(run);
    unitsThisCall += units(run);
    seconds += (performance.now() - t0) / 1000;
    say(`== ${run.id}: done in ${((performance.now() - t0) / 1000).toFixed(0)} s (AU ${ev.metrics.au}, KL ${ev.metrics.kl?.toFixed(2) ?? '-'}, BLEU-2 ${((ev.metrics.reconstruction?.bleu2 ?? 0) * 100).toFixed(2)}, acc ${((ev.metrics.classification?.mean ?? 0) * 100).toFixed(1)}%)`);
    bar?.update({ done: i + 1, total: runs.length, current: run.id, phase: 'done', unitsDone, unitsTotal, seconds, unitsThisCall }, true);
    report();
  }
  report();
  say(`report: ${join(o.reportDir ? resolve(o.reportDir) : out, 'README.md')} (${result.trained.length} trained, ${result.evaluated.length} evaluated, ${result.skipped.length} reused)`);
  return result;
}
