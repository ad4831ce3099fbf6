/**
 * The CLI's output path (cli/output.ts): checked writes, temp file + rename, refusal of an output that is the
 * input, ENOSPC (an injected stream, /dev/full, and a full tmpfs where this machine lets the test mount one),
 * EPIPE.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run as runEncode } from '../../cli/encode.ts';
import { openOutput, OutputClosed } from '../../cli/output.ts';
import { tinyModel } from '../runtime/fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'isovae-out-'));
const dir = (name: string) => {
  const d = join(root, name);
  mkdirSync(d);
  return d;
};

/** A writable that accepts `capacity` bytes, then fails every write with `code` (a full disk, a closed pipe). */
function failingStream(capacity: number, code: 'ENOSPC' | 'EPIPE'): Writable & { received: string } {
  let used = 0;
  const s = new Writable({
    write(chunk: Buffer, _enc, cb) {
      used += chunk.length;
      if (used > capacity) cb(Object.assign(new Error(`${code}: simulated`), { code }));
      else {
        s.received += chunk.toString();
        cb();
      }
    },
  }) as Writable & { received: string };
  s.received = '';
  return s;
}

describe('openOutput', () => {
  it('writes a file under a temporary name and renames it when committed', async () => {
    const d = dir('ok');
    const out = openOutput(join(d, 'a.txt'));
    await out.write('one\n');
    expect(existsSync(join(d, 'a.txt'))).toBe(false); // only the hidden temporary file exists until commit
    expect(readdirSync(d)).toHaveLength(1);
    await out.write('two\n');
    await out.commit();
    expect(readFileSync(join(d, 'a.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(readdirSync(d)).toEqual(['a.txt']);
  });

  it('refuses an output that is the input (same path, or a hard link to it) before writing anything', () => {
    const d = dir('same');
    const input = join(d, 'in.txt');
    writeFileSync(input, 'keep me\n');
    linkSync(input, join(d, 'link.txt'));
    for (const target of [input, join(d, 'link.txt'), join(d, '.', 'in.txt')]) {
      expect(() => openOutput(target, { inputs: [input] })).toThrow(expect.objectContaining({ code: 'E_OUTPUT', message: expect.stringContaining('is the same file as the input') }));
    }
    expect(readFileSync(input, 'utf8')).toBe('keep me\n');
    expect(readdirSync(d).sort()).toEqual(['in.txt', 'link.txt']);
    expect(() => openOutput(d)).toThrow(expect.objectContaining({ code: 'E_OUTPUT', message: expect.stringContaining('is a directory') }));
    expect(() => openOutput(join(d, 'no', 'such', 'dir.txt'))).toThrow(expect.objectContaining({ code: 'E_OUTPUT', message: expect.stringContaining('its directory does not exist') }));
  });

  it('a full disk (ENOSPC) is an E_WRITE naming the file; the previous file is unchanged and no temporary file is left', async () => {
    const d = dir('enospc');
    const target = join(d, 'out.jsonl');
    writeFileSync(target, 'previous\n');
    const out = openOutput(target, {
      createStream: (fd) => {
        closeSync(fd);
        return failingStream(10, 'ENOSPC');
      },
    });
    await out.write('0123456789'); // fits
    const err = await out.write('more than fits\n').then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_WRITE', message: expect.stringMatching(/out\.jsonl: write failed \(ENOSPC: no space left on the device\)\. Nothing was written under that name/) });
    await out.abort();
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    expect(readdirSync(d)).toEqual(['out.jsonl']);
  });

  it('an error that surfaces only at close is caught by commit', async () => {
    const d = dir('close');
    const target = join(d, 'x.txt');
    const out = openOutput(target, {
      createStream: (fd) => {
        closeSync(fd);
        return new Writable({
          write: (_c, _e, cb) => cb(),
          final: (cb) => cb(Object.assign(new Error('EIO: flush failed'), { code: 'EIO' })),
        });
      },
    });
    await out.write('data\n');
    await expect(out.commit()).rejects.toMatchObject({ code: 'E_WRITE', message: expect.stringContaining('x.txt: write failed (EIO') });
    expect(readdirSync(d)).toEqual([]);
  });

  it('a real device without space (/dev/full) fails with E_WRITE naming it', async () => {
    const out = openOutput('/dev/full');
    const err = await (async () => {
      await out.write('x'.repeat(100_000));
      await out.commit();
    })().then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_WRITE', message: expect.stringContaining('/dev/full: write failed (ENOSPC') });
  });

  it('standard output closed by its reader (EPIPE) stops with OutputClosed, not an error', async () => {
    const out = openOutput('-', { stdout: failingStream(5, 'EPIPE') });
    await out.write('head\n');
    await expect(out.write('rest\n')).rejects.toBeInstanceOf(OutputClosed);
  });

  it('standard output on a full disk is an E_WRITE naming standard output', async () => {
    const out = openOutput('-', { stdout: failingStream(0, 'ENOSPC') });
    await expect(out.write('x\n')).rejects.toMatchObject({ code: 'E_WRITE', message: expect.stringContaining('standard output: write failed (ENOSPC') });
  });
});

// A real full file system: a 64 KiB tmpfs, where the test may mount one (root in a container with CAP_SYS_ADMIN).
const mnt = join(root, 'tmpfs');
mkdirSync(mnt);
let mounted = false;
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt], { stdio: 'ignore' });
  mounted = true;
} catch {
  mounted = false;
}
afterAll(() => {
  if (mounted) execFileSync('umount', [mnt], { stdio: 'ignore' });
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(!mounted)('on a full tmpfs', () => {
  it('isovae encode --output fails with E_WRITE, keeps the previous file and leaves no temporary file', async () => {
    const fx = tinyModel('iso');
    const input = join(root, 'many.txt');
    writeFileSync(input, 'the cat sat on the mat\n'.repeat(3000)); // ~3000 JSON rows of ~100 bytes: > 64 KiB
    const target = join(mnt, 'out.jsonl');
    writeFileSync(target, 'previous\n');
    const err = await runEncode([fx.dir, '--input', input, '--output', target, '--threads', '1']).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_WRITE', message: expect.stringContaining(`${target}: write failed (ENOSPC`) });
    expect(readFileSync(target, 'utf8')).toBe('previous\n');
    expect(readdirSync(mnt)).toEqual(['out.jsonl']);
  });
});

describe('isovae encode', () => {
  it('refuses --output equal to --input and leaves the input intact', async () => {
    const fx = tinyModel('iso');
    const d = dir('encode-same');
    const f = join(d, 'f.txt');
    writeFileSync(f, 'the cat\na dog\n');
    await expect(runEncode([fx.dir, '--input', f, '--output', f])).rejects.toMatchObject({ code: 'E_OUTPUT' });
    expect(readFileSync(f, 'utf8')).toBe('the cat\na dog\n');
  });

  it('invalid UTF-8 in --input names the line; --lenient encodes it and writes every row', async () => {
    const fx = tinyModel('iso');
    const d = dir('encode-utf8');
    const f = join(d, 'in.txt');
    writeFileSync(f, Buffer.from([0x61, 0x0a, 0x63, 0xe9, 0x0a, 0x64, 0x0d, 0x65, 0x0a]));
    await expect(runEncode([fx.dir, '--input', f, '--output', join(d, 'o.jsonl')])).rejects.toMatchObject({ code: 'E_DATA_FORMAT', message: expect.stringContaining('in.txt:2: invalid UTF-8') });
    expect(readdirSync(d)).toEqual(['in.txt']);
    await runEncode([fx.dir, '--input', f, '--output', join(d, 'o.jsonl'), '--lenient', '--threads', '1']);
    const rows = readFileSync(join(d, 'o.jsonl'), 'utf8').trim().split('\n');
    expect(rows).toHaveLength(3); // the lone \r in "d\re" does not start a row
    expect(rows.map((r) => (JSON.parse(r) as { line: number }).line)).toEqual([1, 2, 3]);
    await expect(runEncode([fx.dir, '--input', join(d, 'missing.txt')])).rejects.toMatchObject({ code: 'E_INPUT' });
  });
});
