/**
 * Write `<modelDir>/map.json` for the demo from a labelled CSV (`label,text`, integer labels; e.g. a
 * test split): encodes every row with the node runtime and stores the PCA map of the means (no text).
 *   npx tsx web-demo/scripts/make-map.ts <modelDir> <test.csv> [--classes classes.txt] [--max 2000]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCsv } from '../../train/data/csv.ts';
import { loadModel } from '../../runtime/index.ts';
import { buildMapJson } from './map-json.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { classes: { type: 'string' }, max: { type: 'string', default: '2000' } } });
const [modelDir, csvFile] = positionals;
if (!modelDir || !csvFile) {
  console.error('usage: npx tsx web-demo/scripts/make-map.ts <modelDir> <test.csv> [--classes classes.txt] [--max 2000]');
  process.exit(2);
}
// Skip the header and blank lines; fields: label, text.
const rows = parseCsv(readFileSync(csvFile, 'utf8'), csvFile)
  .slice(1)
  .filter((r) => r.fields.length >= 2)
  .map((r) => ({ label: r.fields[0]!, text: r.fields.slice(1).join(',') }))
  .slice(0, Number(values.max));
const classes = values.classes
  ? readFileSync(values.classes, 'utf8').trim().split('\n').map((l) => l.split('\t')[1] ?? l)
  : [];
const model = await loadModel(modelDir);
try {
  const texts = rows.map((r) => r.text);
  const labels = rows.map((r) => Number(r.label));
  const { mean, k } = await model.encode(texts);
  const names = classes.length ? classes : Array.from({ length: Math.max(...labels) + 1 }, (_, i) => String(i));
  writeFileSync(join(modelDir, 'map.json'), JSON.stringify(buildMapJson(mean, texts.length, k, labels, names)));
  console.log(`${join(modelDir, 'map.json')}: ${texts.length} points`);
} finally {
  await model.dispose();
}
