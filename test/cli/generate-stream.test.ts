/** `isovae generate` streams batch by batch (cli/generate.ts generateStream): bounded memory for any --n or input. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStream, generateTexts } from '../../cli/generate.ts';
import { loadModel } from '../../runtime/index.ts';
import type { IsovaeModel } from '../../runtime/model.ts';
import { tinyModel } from '../runtime/fixture.ts';

const fx = tinyModel('iso', { maxLen: 6 });
async function* linesOf(lines: string[]): AsyncIterable<string> {
  for (const l of lines) yield l;
}

describe('generateStream', () => {
  let model: IsovaeModel;
  beforeAll(async () => {
    model = await loadModel(fx.dir, { threads: 1 });
  });
  afterAll(async () => model.dispose());

  it('sample: writes one chunk per batch, the same rows as the whole request at once (one seeded z stream)', async () => {
    const chunks: string[] = [];
    const res = await generateStream(model, { mode: 'sample', texts: [], n: 23, seed: 7 }, null, { write: async (c) => void chunks.push(c) }, { json: false, batch: 5 });
    expect(res).toEqual({ rows: 23, interrupted: false });
    expect(chunks).toHaveLength(5); // ceil(23 / 5): nothing waits for the whole output
    expect(chunks.map((c) => c.split('\n').length - 1)).toEqual([5, 5, 5, 5, 3]);
    const whole = await generateTexts(model, { mode: 'sample', texts: [], n: 23, seed: 7 });
    expect(chunks.join('')).toBe(whole.map((d) => d.text + '\n').join(''));
  });

  it('reconstruct / impute: positional texts then input lines, batch by batch, in order', async () => {
    const input = ['the cat', 'a big dog', 'red house', 'the mat'];
    const chunks: string[] = [];
    const res = await generateStream(model, { mode: 'reconstruct', texts: ['blue tree'] }, linesOf(input), { write: async (c) => void chunks.push(c) }, { json: true, batch: 2 });
    expect(res.rows).toBe(5);
    expect(chunks).toHaveLength(3);
    const whole = await generateTexts(model, { mode: 'reconstruct', texts: ['blue tree', ...input] });
    expect(chunks.join('').trim().split('\n').map((l) => (JSON.parse(l) as { text: string }).text)).toEqual(whole.map((d) => d.text));
  });

  it('an aborted signal stops after the batch in progress', async () => {
    const ctl = new AbortController();
    const chunks: string[] = [];
    const res = await generateStream(model, { mode: 'sample', texts: [], n: 1000, seed: 1 }, null, {
      write: async (c) => {
        chunks.push(c);
        ctl.abort();
      },
    }, { json: false, batch: 10, signal: ctl.signal });
    expect(res).toEqual({ rows: 10, interrupted: true });
    expect(chunks).toHaveLength(1);
  });
});
