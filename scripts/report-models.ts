/**
 * `npm run report:models`: the shipped models' report (isovae evaluate) next to the models they replaced, on the
 * same test sentences, into docs/results/shipped-models.md.
 *   npx tsx scripts/report-models.ts [--no-previous] [isovae evaluate options...]
 * The previous models (Brown, C = 5, H = 128; shipped until commit PREVIOUS_COMMIT) are taken from git history
 * into `.previous-models/<commit>/` (git-ignored, removed afterwards; the report names them by that path) with
 * `git archive`, so the comparison reruns from any clone with history. Without git or that commit, it says so and
 * reports the current models alone.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../cli/evaluate.ts';

/** The last commit whose models/ held the previous shipped pair. */
export const PREVIOUS_COMMIT = 'cc49886';
const PREVIOUS = ['models/igp-brown-c5', 'models/dgp-brown-c5'];

const args = process.argv.slice(2);
const withPrevious = !args.includes('--no-previous');
const rest = args.filter((a) => a !== '--no-previous');
const tmp = join('.previous-models', PREVIOUS_COMMIT);
rmSync(tmp, { recursive: true, force: true });
mkdirSync(tmp, { recursive: true });
try {
  const dirs: string[] = [];
  if (withPrevious) {
    const archive = spawnSync('git', ['archive', PREVIOUS_COMMIT, ...PREVIOUS], { maxBuffer: 1 << 30 });
    if (archive.status === 0) {
      const untar = spawnSync('tar', ['-x', '-C', tmp], { input: archive.stdout });
      if (untar.status !== 0) throw new Error(`tar could not unpack the previous models: ${untar.stderr.toString()}`);
      dirs.push(...PREVIOUS.map((d) => join(tmp, d)));
      console.error(`previous models: ${PREVIOUS.join(', ')} at commit ${PREVIOUS_COMMIT}`);
    } else {
      console.error(`note: the previous models (commit ${PREVIOUS_COMMIT}) are not in this clone's history (${archive.stderr.toString().trim()}); reporting the current models only.`);
    }
  }
  // The report names its rerun command as this script's, since `.previous-models/` is gone once it returns.
  const madeBy = ['npm run report:models', ...(args.length > 0 ? ['--', ...args] : [])].join(' ');
  await run([...dirs, '--models-index', 'models/index.json', '--markdown', 'docs/results/shipped-models.md', ...rest], madeBy);
} finally {
  rmSync('.previous-models', { recursive: true, force: true });
}
