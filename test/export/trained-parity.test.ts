/**
 * Greedy decoding through the exported decoder_step equals TfModel.greedyDecode on a *trained*
 * tiny model (sharper, less tie-prone logits than random weights). The corpus is a made-up
 * 100-sentence grammar written here (no external data).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG } from '../../core/config.ts';
import { exportModel, formatParityTable, verifyModel } from '../../export/index.ts';
import { trainModel } from '../../train/trainer.ts';

const root = mkdtempSync(join(tmpdir(), 'isovae-trained-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function writeGrammarCsv(dir: string): void {
  const subj = ['the cat', 'a dog', 'my friend', 'the teacher', 'a bird'];
  const verb = ['sees', 'likes', 'follows', 'hears'];
  const obj = ['the ball', 'a tree', 'the river', 'some bread', 'the house'];
  const rows: string[] = [];
  for (const s of subj) for (const v of verb) for (const o of obj) rows.push(`${rows.length % 2},${s} ${v} ${o}`);
  mkdirSync(dir, { recursive: true });
  const csv = (r: string[]) => `label,text\n${r.join('\n')}\n`;
  writeFileSync(join(dir, 'train.csv'), csv(rows));
  writeFileSync(join(dir, 'valid.csv'), csv(rows.slice(0, 20)));
  writeFileSync(join(dir, 'test.csv'), csv(rows.slice(20, 40)));
}

describe('trained tiny model', () => {
  it.each(['iso', 'ae'] as const)('%s, trained by the onnxruntime engine: exported graphs match tfjs, greedy decodes are identical, verify passes', async (posterior) => {
    const data = join(root, 'data');
    writeGrammarCsv(data);
    const run = await trainModel({
      ...DEFAULT_TRAIN_CONFIG, posterior, data: { kind: 'csv', path: data }, outDir: join(root, posterior),
      embeddingDim: 8, hiddenDim: 16, latentDim: 4, vocabWords: 100, maxLen: 10, batchSize: 10, epochs: 8,
      lr: 0.01, cSteps: 50, c: 3, backend: 'wasm', engine: 'ort',
    }, { log: () => {}, onProgress: () => {}, skipTest: true });
    expect(run.backend).toMatch(/^ort-cpu/);
    expect(run.steps).toBe(80);
    const { parity, manifest } = await exportModel(run.checkpoint, join(root, posterior, 'model'));
    expect(manifest.maxLen).toBe(11);
    const cpu = parity!.providers[0]!;
    for (const o of cpu.outputs) expect(o.maxAbsDiff, `${o.graph}/${o.output}\n${formatParityTable(parity!)}`).toBeLessThanOrEqual(1e-4);
    expect(cpu.greedy).toEqual({ sentences: 64, identical: 64, tokenAgreement: 100 });
    // `isovae verify` on the same pair: every output within 1e-4, every greedy decode identical.
    const table = await verifyModel(run.checkpoint, join(root, posterior, 'model'), { providers: ['cpu'] });
    expect(table.ok, formatParityTable(table)).toBe(true);
    for (const o of table.providers[0]!.outputs) expect(o.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(table.providers[0]!.greedy.tokenAgreement).toBe(100);
  });
});
