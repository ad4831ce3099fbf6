import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { encodeLines, loadOptionsFrom, run as runEncode } from '../../cli/encode.ts';
import { generateTexts, run as runGenerate } from '../../cli/generate.ts';
import { loadModel } from '../../runtime/index.ts';
import type { IsovaeModel } from '../../runtime/model.ts';
import { tinyModel } from './fixture.ts';

const fx = tinyModel('iso', { maxLen: 6 });

async function* linesOf(lines: string[]): AsyncIterable<string> {
  for (const l of lines) yield l;
}

describe('cli encode / generate', () => {
  let model: IsovaeModel;
  beforeAll(async () => {
    model = await loadModel(fx.dir, { threads: 1 });
  });
  afterAll(async () => model.dispose());

  it('encodeLines streams one JSON row per line, in order, batch by batch', async () => {
    const input = ['the cat', '', 'a big dog ran on the mat and more', 'red house', 'the cat'];
    const chunks: string[] = [];
    const res = await encodeLines(model, linesOf(input), { write: async (c) => void chunks.push(c) }, { format: 'json', batch: 2, logvar: true });
    expect(res).toEqual({ lines: 5, truncated: 1, interrupted: false });
    expect(chunks).toHaveLength(3); // ceil(5 / 2) batches, written as they complete
    const rows = chunks.join('').trim().split('\n').map((l) => JSON.parse(l) as { line: number; mean: number[]; logvar: number[]; truncated?: boolean });
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[2]!.truncated).toBe(true);
    const ref = await model.encode(input);
    // Values are printed with 9 significant digits, which round-trip float32 exactly.
    rows.forEach((r, i) => {
      expect(Float32Array.from(r.mean)).toEqual(ref.mean.subarray(i * 4, (i + 1) * 4));
      expect(Float32Array.from(r.logvar)).toEqual(ref.logvar!.subarray(i * 4, (i + 1) * 4));
    });
  });

  it('encodeLines writes CSV with a header', async () => {
    let text = '';
    await encodeLines(model, linesOf(['the cat', 'red']), { write: async (c) => void (text += c) }, { format: 'csv', batch: 128, logvar: false });
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('line,mean_0,mean_1,mean_2,mean_3');
    expect(lines).toHaveLength(3);
    expect(lines[2]!.split(',')).toHaveLength(5);
  });

  it('parses provider options and rejects bad ones', () => {
    expect(loadOptionsFrom({ provider: 'cuda,cpu', threads: '2', strict: true })).toEqual({ executionProviders: ['cuda', 'cpu'], threads: 2, strict: true });
    expect(() => loadOptionsFrom({ provider: 'gpu' })).toThrow(RangeError);
    expect(() => loadOptionsFrom({ threads: '0' })).toThrow(RangeError);
  });

  it('generateTexts runs every mode', async () => {
    const s = await generateTexts(model, { mode: 'sample', texts: [], n: 3, seed: 4 });
    expect(s.map((d) => d.text)).toEqual((await model.decode(model.sample(3, { seed: 4 }))).map((d) => d.text));
    const r = await generateTexts(model, { mode: 'reconstruct', texts: ['the cat'] });
    expect(r).toHaveLength(1);
    const im = await generateTexts(model, { mode: 'impute', texts: ['the cat'], imputeMode: 'faithful', maxLen: 4 });
    expect(im[0]!.words.slice(0, 2)).toEqual(['the', 'cat']);
    expect(im[0]!.ids.length).toBeLessThanOrEqual(4);
    const ip = await generateTexts(model, { mode: 'interpolate', texts: ['the cat', 'a dog'], steps: 3 });
    expect(ip).toHaveLength(3);
    await expect(generateTexts(model, { mode: 'interpolate', texts: ['one'] })).rejects.toThrow(RangeError);
    await expect(generateTexts(model, { mode: 'sample', texts: ['x'] })).rejects.toThrow(RangeError);
  });
});

describe('cli run()', () => {
  it('isovae encode reads a file and writes CSV to a file', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'isovae-cli-'));
    writeFileSync(join(tmp, 'in.txt'), 'the cat\r\na big dog\n\nred\n');
    await runEncode([fx.dir, '--input', join(tmp, 'in.txt'), '--output', join(tmp, 'out.csv'), '--format', 'csv', '--batch', '2', '--threads', '1']);
    const lines = readFileSync(join(tmp, 'out.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(5); // header + 4 input lines (the empty line included)
    expect(lines[4]!.startsWith('4,')).toBe(true);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('isovae generate prints JSON lines; bad arguments are RangeErrors', async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, cb?: unknown) => {
      out.push(String(chunk));
      if (typeof cb === 'function') queueMicrotask(() => (cb as () => void)());
      return true;
    }) as typeof process.stdout.write);
    try {
      await runGenerate([fx.dir, 'sample', '--n', '2', '--seed', '1', '--json', '--threads', '1']);
      await runGenerate([fx.dir, 'impute', 'the cat', '--mode', 'faithful', '--threads', '1']);
    } finally {
      spy.mockRestore();
    }
    const lines = out.join('').trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(Object.keys(JSON.parse(lines[0]!) as object)).toEqual(['text', 'ids', 'finished']);
    expect(lines[2]!.startsWith('the cat')).toBe(true);
    await expect(runGenerate([fx.dir, 'dream'])).rejects.toThrow(/unknown mode "dream"/);
    await expect(runGenerate([fx.dir, 'impute', 'x', '--mode', 'both'])).rejects.toThrow(RangeError);
    await expect(runEncode([fx.dir, '--format', 'xml'])).rejects.toThrow(/--format/);
    await expect(runEncode([])).rejects.toThrow(/model-dir/);
  });
});
