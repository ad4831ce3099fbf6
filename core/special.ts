/**
 * Special token ids, fixed by the paper's code (utils.py): `<pad>`=0, `<bos>`=1, `<eos>`=2, and
 * vocabulary words take ids 3..V-1 in `vocab.txt` line order. The unknown-word token is the literal
 * vocabulary word `unk` (the paper's Table 1 shows it), so it has an ordinary id >= 3.
 */
export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
/** Number of reserved ids before the first vocabulary word. */
export const NUM_SPECIAL = 3;
export const PAD_TOKEN = '<pad>';
export const BOS_TOKEN = '<bos>';
export const EOS_TOKEN = '<eos>';
/** The paper's unknown-word token (a normal vocabulary entry, not a reserved id). */
export const UNK_TOKEN = 'unk';
