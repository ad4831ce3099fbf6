import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { IsovaeError } from '../core/errors.ts';
import type { PaperDataset } from '../eval/index.ts';
import { readResults, sweepMarkdown, sweepRows, sweepTest, sweepTestsMarkdown } from '../reproduce/sweep.ts';

const USAGE = `Usage: isovae sweep <label>=<results.json> [<label>=<results.json> ...] [--markdown FILE] [--paper dbpedia|yahoo]

DGP vs IGP at C = 15 across the scales of finished reproduction reports (isovae reproduce), one table:
AU, active directions, effective rank, isotropy of means and samples, log det Cov, classification accuracy,
BLEU-2, Rec and KL (mean±std over seeds), with the paper's rows. Rows follow the order of the arguments.
Then a second table: IGP − DGP per scale with the two-sided p of Welch's t-test over the seeds.

Example:
  isovae sweep tiny=docs/results/dbpedia-tiny/results.json small=docs/results/dbpedia/results.json \\
    paper-dims=docs/results/dbpedia-paper-dims/results.json --markdown scale-sweep.md`;

/** \`isovae sweep\`: the scale-sweep table (library: reproduce/sweep.ts). */
export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { markdown: { type: 'string' }, paper: { type: 'string', default: 'dbpedia' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return console.log(USAGE);
  if (positionals.length === 0) throw new IsovaeError('E_INPUT', 'give at least one <label>=<results.json> (see isovae sweep --help)');
  if (values.paper !== 'dbpedia' && values.paper !== 'yahoo') throw new RangeError(`--paper "${values.paper}": expected dbpedia or yahoo`);
  const inputs = positionals.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new IsovaeError('E_INPUT', `"${arg}": expected <label>=<results.json>, e.g. small=docs/results/dbpedia/results.json`);
    return { label: arg.slice(0, eq), results: readResults(arg.slice(eq + 1)) };
  });
  const rows = inputs.flatMap((x) => sweepRows(x.results, x.label));
  const tests = inputs.map((x) => sweepTest(x.results, x.label));
  const md = `${sweepMarkdown(rows, values.paper as PaperDataset)}
IGP − DGP at C = 15 per scale, with the two-sided p of Welch's t-test over the seeds (sample variances, Welch-Satterthwaite df):

${sweepTestsMarkdown(tests)}`;
  if (values.markdown) writeFileSync(values.markdown, md);
  process.stdout.write(md);
}
