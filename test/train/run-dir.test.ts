/**
 * Training never discards progress silently (train/run-dir.ts) and checkpoints are verified by sha256
 * (train/checkpoint-integrity.ts), with checkpoints written by saveCheckpoint itself.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../core/config.ts';
import { Rng } from '../../core/rng.ts';
import { Vocab } from '../../core/vocab.ts';
import { exportModel } from '../../export/index.ts';
import { CHECKSUMS_FILE } from '../../train/checkpoint-integrity.ts';
import { loadCheckpoint, saveCheckpoint, type Checkpoint } from '../../train/checkpoint.ts';
import { initWeights } from '../../train/init.ts';
import { prepareRunDir } from '../../train/run-dir.ts';
import { TINY } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'isovae-rundir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `run${n++}`, 'checkpoint');

/** A checkpoint of the TINY model at `step` (with Adam state, as training writes it). */
function save(dir: string, step: number, finished = false): void {
  const weights = initWeights(TINY, new Rng(step));
  const optimizer = new Map(Object.entries(weights).map(([k, t]) => [`m/${k}`, t!]));
  const ck: Omit<Checkpoint, 'dir'> = {
    train: { ...DEFAULT_TRAIN_CONFIG, embeddingDim: 8, hiddenDim: 12, latentDim: 4, vocabWords: 20 },
    model: TINY, maxLen: 8, vocab: Vocab.fromWords([...Array.from({ length: 19 }, (_, i) => `w${i}`), 'unk']), weights, optimizer,
    state: { epoch: 2, batchInEpoch: 1, step, shuffleRngAtEpochStart: [1, 2, 3, 4], noiseRng: [1, 2, 3, 4], history: [], finished, epochSums: { loss: 0, kl: 0, rec: 0, n: 0, tokens: 0 } },
    dataset: { name: 'tiny', classes: [], sizes: { train: 1, valid: 1, test: 1 } }, command: 'test', backend: 'wasm',
  };
  saveCheckpoint(dir, ck);
}

const logs: string[] = [];
const opts = (resume: boolean | 'if-present', overwrite = false) => ({ resume, overwrite, log: (l: string) => void logs.push(l) });

describe('prepareRunDir', () => {
  it('a new directory starts fresh; --resume there is an error saying nothing was found', () => {
    expect(prepareRunDir(fresh(), opts(false))).toBe('fresh');
    expect(prepareRunDir(fresh(), opts('if-present'))).toBe('fresh');
    expect(() => prepareRunDir(fresh(), opts(true))).toThrow(expect.objectContaining({ code: 'E_CHECKPOINT', message: expect.stringMatching(/--resume: no checkpoint to continue from in .* \(found nothing\)/) }));
  });

  it('without --resume a directory holding a checkpoint is refused unless --overwrite', () => {
    const ck = fresh();
    save(ck, 40, true);
    expect(() => prepareRunDir(ck, opts(false))).toThrow(expect.objectContaining({ code: 'E_RUN_EXISTS', message: expect.stringContaining('already holds a checkpoint (finished, step 40); continue it with --resume') }));
    logs.length = 0;
    expect(prepareRunDir(ck, opts(false, true))).toBe('fresh');
    expect(logs.join()).toMatch(/--overwrite: starting from scratch; the checkpoint in .* \(finished, step 40\) will be replaced/);
    expect(prepareRunDir(ck, opts(true))).toBe('resume');
  });

  it('--resume completes a save interrupted after checkpoint.tmp was complete, saying so', () => {
    const ck = fresh();
    save(ck, 10);
    save(`${ck}.tmp`, 20); // the newer, complete checkpoint of a save that crashed before its renames
    logs.length = 0;
    expect(prepareRunDir(ck, opts(true))).toBe('resume');
    expect(logs.join()).toMatch(/recovering .*checkpoint\.tmp: a save was interrupted .* \(at epoch 3, step 20\); completing it/);
    expect(loadCheckpoint(ck).state.step).toBe(20);
    expect(existsSync(`${ck}.tmp`) || existsSync(`${ck}.old`)).toBe(false);
  });

  it('--resume with only a complete checkpoint.tmp (crash between the renames) recovers it', () => {
    const ck = fresh();
    save(ck, 10);
    save(`${ck}.tmp`, 20);
    renameSync(ck, `${ck}.old`);
    expect(prepareRunDir(ck, opts(true))).toBe('resume');
    expect(loadCheckpoint(ck).state.step).toBe(20);
  });

  it('an incomplete checkpoint.tmp is not used: the previous checkpoint (.old) is recovered, or --resume fails naming it', () => {
    const ck = fresh();
    save(`${ck}.old`, 10);
    save(`${ck}.tmp`, 20);
    rmSync(join(`${ck}.tmp`, CHECKSUMS_FILE)); // the save died before it finished
    rmSync(join(`${ck}.tmp`, 'state.json'));
    logs.length = 0;
    expect(prepareRunDir(ck, opts(true))).toBe('resume');
    expect(logs.join()).toMatch(/recovering .*checkpoint\.old: .*previous one \(at epoch 3, step 10\)/);
    expect(loadCheckpoint(ck).state.step).toBe(10);

    const ck2 = fresh();
    save(`${ck2}.tmp`, 20);
    rmSync(join(`${ck2}.tmp`, CHECKSUMS_FILE));
    rmSync(join(`${ck2}.tmp`, 'state.json'));
    expect(() => prepareRunDir(ck2, opts(true))).toThrow(expect.objectContaining({ code: 'E_CHECKPOINT', message: expect.stringMatching(/found an incomplete .*checkpoint\.tmp/) }));
  });
});

describe('checkpoint integrity', () => {
  it('a flipped byte in weights.bin (still finite) fails the sha256 check on load and on export', async () => {
    const ck = fresh();
    save(ck, 5);
    const bin = join(ck, 'weights.bin');
    const bytes = readFileSync(bin);
    bytes[100] = bytes[100]! ^ 0x01; // lowest mantissa bit of some float: finite, plausible, wrong
    writeFileSync(bin, bytes);
    expect(() => loadCheckpoint(ck)).toThrow(expect.objectContaining({ code: 'E_CHECKPOINT', message: expect.stringContaining('weights.bin: sha256 does not match checksums.json') }));
    const out = join(root, 'flipped-model');
    await expect(exportModel(ck, out, { validate: false })).rejects.toMatchObject({ code: 'E_CHECKPOINT' });
    expect(existsSync(out)).toBe(false);
  });

  it('checkpoints written before checksums existed still load (unverified)', () => {
    const ck = fresh();
    save(ck, 5);
    rmSync(join(ck, CHECKSUMS_FILE));
    expect(loadCheckpoint(ck, { optimizer: true }).state.step).toBe(5);
  });

  it('a missing optimizer.bin is an E_CHECKPOINT naming it, not a raw ENOENT', () => {
    const ck = fresh();
    save(ck, 5);
    rmSync(join(ck, 'optimizer.bin'));
    expect(() => loadCheckpoint(ck, { optimizer: true })).toThrow(expect.objectContaining({ code: 'E_CHECKPOINT', message: expect.stringContaining('optimizer.bin is missing') }));
    const legacy = fresh();
    save(legacy, 5);
    rmSync(join(legacy, CHECKSUMS_FILE));
    rmSync(join(legacy, 'optimizer.bin'));
    expect(() => loadCheckpoint(legacy, { optimizer: true })).toThrow(expect.objectContaining({ code: 'E_CHECKPOINT', message: expect.stringContaining('optimizer.bin is missing') }));
  });

  it('a copy missing a file is reported, naming the file', () => {
    const ck = fresh();
    save(ck, 5);
    const copy = join(root, 'copy', 'checkpoint');
    cpSync(ck, copy, { recursive: true });
    rmSync(join(copy, 'vocab.txt'));
    expect(() => loadCheckpoint(copy)).toThrow(expect.objectContaining({ code: 'E_CHECKPOINT', message: expect.stringContaining('vocab.txt is missing (listed in checksums.json)') }));
  });
});
