/**
 * The CLI as a user runs it, in real child processes: Ctrl-C (SIGINT) during training and encoding, a reader
 * that closes the pipe (| head), standard output on a full device (/dev/full), and one-line errors.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.ts';
import { loadCheckpoint } from '../../train/checkpoint.ts';
import { tinyModel } from '../runtime/fixture.ts';

const BIN = resolve(import.meta.dirname, '../../bin/isovae.mjs');
const root = mkdtempSync(join(tmpdir(), 'isovae-proc-'));
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const p of running) p.kill('SIGKILL'); // a failed test must not leave a training process behind
  rmSync(root, { recursive: true, force: true });
});

interface Child {
  stdout: string;
  stderr: string;
  code: Promise<number | null>;
  kill(sig: NodeJS.Signals): void;
  /** Close our end of the child's stdout pipe, as `head` does after its lines. */
  closeStdout(): void;
  /** Resolves once stderr (or stdout) contains `text`. */
  waitFor(text: string | RegExp, stream?: 'stdout' | 'stderr'): Promise<void>;
}

/** Start `isovae args...`; `stdin` / `stdout` may be file descriptors (a file, /dev/full) instead of pipes. */
function isovae(args: string[], opts: { stdout?: number; stdin?: number } = {}): Child {
  const p = spawn(process.execPath, [BIN, ...args], { stdio: [opts.stdin ?? 'ignore', opts.stdout ?? 'pipe', 'pipe'], env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
  running.add(p);
  p.on('exit', () => running.delete(p));
  const child: Child = {
    stdout: '',
    stderr: '',
    code: new Promise((res) => p.on('close', (code, signal) => res(code ?? (signal ? -1 : null)))),
    kill: (sig) => p.kill(sig),
    closeStdout: () => p.stdout?.destroy(),
    waitFor: (text, stream = 'stderr') =>
      new Promise((res, rej) => {
        const check = () => {
          const s = child[stream];
          if (typeof text === 'string' ? s.includes(text) : text.test(s)) res();
        };
        p[stream]?.on('data', check);
        p.on('close', () => rej(new Error(`exited before "${String(text)}" appeared; stderr: ${child.stderr}`)));
        check();
      }),
  };
  p.stdout?.on('data', (d: Buffer) => (child.stdout += d.toString()));
  p.stderr?.on('data', (d: Buffer) => (child.stderr += d.toString()));
  return child;
}

/** Resolves once the hidden temporary file of output `target` (cli/output.ts) holds some rows: the command is mid-work. */
async function outputStarted(target: string): Promise<void> {
  const dir = dirname(target);
  const prefix = `.${basename(target)}.`;
  for (let i = 0; i < 600; i++) {
    const tmp = readdirSync(dir).find((n) => n.startsWith(prefix) && n.endsWith('.tmp'));
    if (tmp && statSync(join(dir, tmp)).size > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${target}: no output after 30 s`);
}

/** A CSV dataset of 400 random sentences over 30 words (written here; nothing from /work/shared). */
function tinyCsv(): string {
  const dir = join(root, 'data');
  if (existsSync(dir)) return dir;
  mkdirSync(dir);
  const rng = new Rng(3);
  const words = Array.from({ length: 30 }, (_, i) => `w${i}`);
  const rows = ['label,text'];
  for (let i = 0; i < 400; i++) rows.push(`${i % 2},${Array.from({ length: 2 + Math.floor(rng.next() * 6) }, () => words[Math.floor(rng.next() * 30)]).join(' ')}`);
  writeFileSync(join(dir, 'train.csv'), rows.join('\n') + '\n');
  return dir;
}

const TRAIN = ['--embedding-dim', '8', '--hidden-dim', '8', '--latent-dim', '4', '--vocab-words', '30', '--max-len', '8', '--batch-size', '4', '--max-eval-sentences', '8', '--backend', 'wasm'];

describe('Ctrl-C', () => {
  it.each(['tfjs', 'ort'])('isovae train --engine %s (one worker): SIGINT finishes the step, writes a checkpoint and exits 130; a new run into it is refused', async (engine) => {
    const out = join(root, `run-int-${engine}`);
    const c = isovae(['train', '--engine', engine, '--data', `csv:${tinyCsv()}`, '--out', out, '--epochs', '1000', ...TRAIN]);
    await c.waitFor('training sentences');
    await new Promise((r) => setTimeout(r, 1500)); // some steps
    c.kill('SIGINT');
    expect(await c.code).toBe(130);
    expect(c.stderr).toContain('interrupted: stopping after this step');
    expect(c.stderr).toMatch(/checkpoint written to .*continue with --resume/);
    const ck = loadCheckpoint(join(out, 'checkpoint'), { optimizer: true });
    expect(ck.state.step).toBeGreaterThan(0);
    expect(ck.state.finished).toBe(false);

    // Training again without --resume would discard that progress: refused, one line with its code.
    const again = isovae(['train', '--engine', engine, '--data', `csv:${tinyCsv()}`, '--out', out, '--epochs', '1000', ...TRAIN]);
    expect(await again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    expect(again.stderr).toMatch(/already holds a checkpoint \(at epoch \d+, step \d+\); continue it with --resume.*\[E_RUN_EXISTS\]$/m);
  });

  it('a second SIGINT exits at once with 130 and leaves no damaged checkpoint', async () => {
    const out = join(root, 'run-int2');
    const c = isovae(['train', '--data', `csv:${tinyCsv()}`, '--out', out, '--epochs', '1000', ...TRAIN]);
    await c.waitFor('training sentences');
    await new Promise((r) => setTimeout(r, 800)); // mid-training
    c.kill('SIGINT');
    c.kill('SIGINT');
    expect(await c.code).toBe(130);
    // Either the first save completed (a whole checkpoint) or nothing was written yet: never a broken one.
    if (existsSync(join(out, 'checkpoint'))) expect(loadCheckpoint(join(out, 'checkpoint')).state.step).toBeGreaterThanOrEqual(0);
    else expect(existsSync(join(out, 'checkpoint', 'config.json'))).toBe(false);
  });

  it('isovae encode: SIGINT keeps the complete rows written so far and exits 130', async () => {
    const fx = tinyModel('iso');
    const input = join(root, 'long.txt');
    writeFileSync(input, 'the cat sat on the mat\n'.repeat(200_000));
    const target = join(root, 'partial.jsonl');
    const c = isovae(['encode', fx.dir, '--input', input, '--output', target, '--batch', '64', '--threads', '1']);
    await outputStarted(target);
    c.kill('SIGINT');
    expect(await c.code).toBe(130);
    const m = /the first (\d+) rows were written to/.exec(c.stderr);
    expect(m).not.toBeNull();
    const rows = readFileSync(target, 'utf8').split('\n');
    expect(rows.pop()).toBe(''); // ends with a complete line
    expect(rows.length).toBe(Number(m![1]));
    expect(rows.length).toBeLessThan(200_000);
    rows.forEach((r, i) => expect((JSON.parse(r) as { line: number }).line).toBe(i + 1));
  });
});

describe('SIGTERM', () => {
  it('isovae generate --output: SIGTERM flushes the rows done, renames the file into place and exits 130', async () => {
    const fx = tinyModel('iso');
    const target = join(root, 'samples.txt');
    const c = isovae(['generate', fx.dir, 'sample', '--n', '100000000', '--output', target, '--batch', '64', '--threads', '1']);
    await outputStarted(target);
    c.kill('SIGTERM');
    expect(await c.code).toBe(130);
    const rows = Number(/the first (\d+) rows were written to/.exec(c.stderr)?.[1]);
    expect(rows).toBeGreaterThan(0);
    expect(rows % 64).toBe(0); // whole batches only
    expect(readFileSync(target, 'utf8').split('\n')).toHaveLength(rows + 1);
  });
});

describe('pipes and full disks', () => {
  it('generate | head: the reader closing the pipe stops generate quietly with exit code 0', async () => {
    const fx = tinyModel('iso');
    const c = isovae(['generate', fx.dir, 'sample', '--n', '100000000', '--threads', '1']);
    await c.waitFor('\n', 'stdout');
    c.closeStdout();
    expect(await c.code).toBe(0);
    expect(c.stderr).toBe('');
  });

  it('generate > /dev/full: exit 1 with one line naming standard output and ENOSPC', async () => {
    const fx = tinyModel('iso');
    const c = isovae(['generate', fx.dir, 'sample', '--n', '5000', '--threads', '1'], { stdout: openSync('/dev/full', 'w') });
    expect(await c.code).toBe(1);
    expect(c.stderr).toMatch(/^isovae generate: standard output: write failed \(ENOSPC: no space left on the device\)\..*\[E_WRITE\]\n$/);
  });
});

describe('errors at the top level', () => {
  it('are one line with their code, without a stack unless --debug', async () => {
    const fx = tinyModel('iso');
    const file = join(root, 'not-a-dir.txt');
    writeFileSync(file, 'x\n');
    const cases: Array<[string[], RegExp]> = [
      [['encode', file, '--input', file], /^isovae encode: .*not-a-dir\.txt.*\[E_[A-Z_]+\]$/],
      [['export', join(fx.dir, 'manifest.json'), join(root, 'm')], /^isovae export: checkpoint ".*manifest\.json" is a file; .*\[E_CHECKPOINT\]$/],
      [['train', '--resume', '--out', join(root, 'nothing-here'), '--data', `csv:${tinyCsv()}`, ...TRAIN], /^isovae train: --resume: no checkpoint to continue from in .*nothing-here.*found nothing.*\[E_CHECKPOINT\]$/],
    ];
    for (const [args, re] of cases) {
      const c = isovae(args);
      expect(await c.code, args.join(' ')).toBe(1);
      const lines = c.stderr.trim().split('\n');
      expect(lines, c.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(re);
    }
    // encode < f --output f: the output is the redirected standard input.
    const redirected = isovae(['encode', fx.dir, '--output', file], { stdin: openSync(file, 'r') });
    expect(await redirected.code).toBe(1);
    expect(redirected.stderr).toMatch(/^isovae encode: --output ".*not-a-dir\.txt" is the same file as the input \(standard input\).*\[E_OUTPUT\]\n$/);
    expect(readFileSync(file, 'utf8')).toBe('x\n');
    const dbg = isovae(['export', join(fx.dir, 'manifest.json'), join(root, 'm'), '--debug']);
    expect(await dbg.code).toBe(1);
    expect(dbg.stderr).toMatch(/\[E_CHECKPOINT\]\nIsovaeError: .*\n\s+at /);
  });
});
