import { createRequire } from 'node:module';

/**
 * The trainer's packages (tfjs, the ONNX builder's protobufjs, the embedded corpus) are optional peer
 * dependencies of isovae, so an app that only runs models does not install them. This module turns
 * "Cannot find package X" from a trainer command into a message that says what to install.
 */

/** `peerDependencies` of the installed isovae package.json (name -> range); {} if it cannot be read. */
export function trainerPackages(): Record<string, string> {
  try {
    // Self-reference through the package's own `exports` ("./package.json"): works from the sources and from dist/.
    const pkg = createRequire(import.meta.url)('isovae/package.json') as { peerDependencies?: Record<string, string> };
    return pkg.peerDependencies ?? {};
  } catch {
    return {};
  }
}

/** The package an ERR_MODULE_NOT_FOUND / MODULE_NOT_FOUND error names, or null for other errors. */
export function missingPackageOf(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return null;
  const m = /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/']+)/.exec((err as Error).message);
  return m ? m[1]! : null;
}

/**
 * If `err` says a trainer package is missing, the message for `isovae <command>`: which package, and the
 * `npm install` line for every trainer package with its version range. Otherwise null.
 */
export function missingTrainerMessage(err: unknown, command: string, peers: Record<string, string> = trainerPackages()): string | null {
  const missing = missingPackageOf(err);
  if (missing === null || !(missing in peers)) return null;
  const install = Object.entries(peers).map(([name, range]) => `${name}@${range}`).join(' ');
  return [
    `"isovae ${command}" needs the trainer, whose dependencies are not installed (cannot find the package "${missing}").`,
    'isovae installs only the runtime by default; add the trainer to this project with:',
    `  npm install ${install}`,
  ].join('\n');
}
