/**
 * A tiny labelled corpus written by the isovae team for the browser-test fixture models (no text
 * from any data set): four topics built from hand-written phrase lists with a seeded RNG, plus the
 * demo's example sentences, so the fixture models reconstruct what the demo shows.
 */
import { Rng } from '../../core/rng.ts';
import { EXAMPLES, INTERPOLATION_PAIRS } from '../../web-demo/src/examples.ts';

export const CLASSES = ['animals', 'weather', 'food', 'travel'] as const;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;

const ANIMALS = ['dog', 'cat', 'horse', 'bird', 'fox', 'goat'];
const SIZES = ['small', 'old', 'young', 'big', 'quiet', 'brown'];
const ACTS = ['sleeps', 'runs', 'waits', 'plays', 'sits', 'hides'];
const PLACES = ['near the door', 'in the garden', 'under the table', 'by the river', 'on the hill', 'in the barn'];
const SKY = ['cold', 'warm', 'windy', 'sunny', 'wet', 'grey'];
const WHEN = ['tomorrow', 'tonight', 'today', 'this morning', 'all week', 'on monday'];
const PEOPLE = ['we', 'my sister', 'my brother', 'the children', 'our friends', 'they'];
const EAT = ['ate', 'cooked', 'bought', 'shared', 'made', 'wanted'];
const FOOD = ['bread', 'cheese', 'rice', 'beans', 'soup', 'apples', 'fish', 'cake'];
const MEALS = ['lunch', 'dinner', 'breakfast', 'the party'];
const VEHICLES = ['train', 'bus', 'boat', 'plane', 'ferry'];
const TOWNS = ['the city', 'the coast', 'the north', 'the village', 'the airport'];
const TIMES = ['at noon', 'at six', 'before dawn', 'every hour', 'after lunch', 'at night'];

/** One sentence of topic `cls` (index into CLASSES). */
function sentence(rng: Rng, cls: number): string {
  switch (cls) {
    case 0:
      return rng.next() < 0.5
        ? `the ${pick(rng, SIZES)} ${pick(rng, ANIMALS)} ${pick(rng, ACTS)} ${pick(rng, PLACES)} .`
        : `the ${pick(rng, SIZES)} ${pick(rng, ANIMALS)} watched the rain from the window .`;
    case 1:
      return rng.next() < 0.6
        ? `it will be ${pick(rng, SKY)} and ${pick(rng, SKY)} ${pick(rng, WHEN)} .`
        : `the sky was ${pick(rng, SKY)} ${pick(rng, WHEN)} .`;
    case 2:
      return `${pick(rng, PEOPLE)} ${pick(rng, EAT)} ${pick(rng, FOOD)} ${rng.next() < 0.5 ? 'with' : 'and'} ${pick(rng, FOOD)} for ${pick(rng, MEALS)} .`;
    default:
      return `the ${pick(rng, VEHICLES)} to ${pick(rng, TOWNS)} leaves ${pick(rng, TIMES)} .`;
  }
}

/** Topic of a hand-written example sentence (by its key words). */
function topicOf(text: string): number {
  if (/\b(dog|cat|horse|bird|fox|goat)\b/.test(text)) return 0;
  if (/\b(cold|warm|windy|sunny|wet|grey)\b/.test(text)) return 1;
  if (/\b(ate|cooked|bought|shared|made|wanted)\b/.test(text)) return 2;
  return 3;
}

export interface Row {
  label: number;
  text: string;
}

/** Train/valid/test rows (deterministic for `seed`); the demo examples are in train, repeated. */
export function fixtureCorpus(seed = 7, nTrain = 480, nEval = 60): { train: Row[]; valid: Row[]; test: Row[] } {
  const rng = new Rng(seed);
  const gen = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ label: i % 4, text: sentence(rng, i % 4) }));
  const fixed = [...EXAMPLES, ...INTERPOLATION_PAIRS.flat()].map((text) => ({ label: topicOf(text), text }));
  const train = [...gen(nTrain), ...fixed, ...fixed, ...fixed];
  return { train, valid: gen(nEval), test: gen(nEval) };
}

/** Rows as CSV text with the header `label,text` (integer labels; no text needs quoting). */
export function toCsv(rows: readonly Row[]): string {
  return ['label,text', ...rows.map((r) => `${r.label},${r.text}`)].join('\n') + '\n';
}

/** classes.txt for the CSV loader: `id<TAB>name` per line. */
export function classesTxt(): string {
  return CLASSES.map((c, i) => `${i}\t${c}`).join('\n') + '\n';
}
