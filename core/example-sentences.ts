/**
 * Sentences written by the team for reconstruction examples (not from any dataset, so they may be printed
 * anywhere): the demo's three (`isovae demo`, `npm start`) and the one issue 13 quotes for the shipped models.
 */
export const DEMO_SENTENCES: readonly string[] = [
  'the committee will meet again next week .',
  'she said that the new school would open in the fall .',
  'he looked at the old house and smiled .',
];

/** The report's examples (`isovae evaluate`): the demo sentences plus the "old man" sentence. */
export const EXAMPLE_SENTENCES: readonly string[] = [...DEMO_SENTENCES, 'the old man walked slowly to the church .'];
