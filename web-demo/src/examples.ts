/**
 * Example sentences for the demo, written by the isovae team for this page (no corpus text).
 * Lower-case with spaces around punctuation, like the tokenizer's output.
 */
export const EXAMPLES: readonly string[] = [
  'the small dog sleeps near the door .',
  'it will be cold and windy tomorrow .',
  'we ate bread with cheese for lunch .',
  'the train to the city leaves at noon .',
  'the old cat watched the rain from the window .',
  'my sister cooked rice and beans for dinner .',
];

/** Pairs for the interpolation panel (start, end). */
export const INTERPOLATION_PAIRS: readonly (readonly [string, string])[] = [
  ['the small dog sleeps near the door .', 'we ate bread with cheese for lunch .'],
  ['it will be cold and windy tomorrow .', 'the train to the city leaves at noon .'],
];

/** Prefixes for the word-imputation panel. */
export const PREFIXES: readonly string[] = ['the old cat', 'we ate', 'it will be'];
