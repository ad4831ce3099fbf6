import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { missingPackageOf, missingTrainerMessage, trainerPackages } from '../../cli/trainer-deps.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
};

/** The error Node itself raises for an import of a package that is not installed. */
async function importError(name: string): Promise<unknown> {
  try {
    await import(/* @vite-ignore */ name);
  } catch (e) {
    return e;
  }
  throw new Error(`${name} is installed`);
}

describe('cli: the trainer is optional', () => {
  it('reads the optional peer dependencies of the isovae package.json', () => {
    expect(trainerPackages()).toEqual(pkg.peerDependencies);
    expect(Object.keys(pkg.peerDependencies)).toContain('@tensorflow/tfjs-core');
    for (const name of Object.keys(pkg.peerDependencies)) expect(pkg.peerDependenciesMeta[name]?.optional, name).toBe(true);
  });

  it('names the package of a real ERR_MODULE_NOT_FOUND (ESM) and MODULE_NOT_FOUND (require), scoped or not', async () => {
    expect(missingPackageOf(await importError('@isovae-test/not-installed/sub'))).toBe('@isovae-test/not-installed');
    expect(missingPackageOf(await importError('isovae-test-not-installed'))).toBe('isovae-test-not-installed');
    let requireErr: unknown;
    try {
      createRequire(import.meta.url)('isovae-test-not-installed');
    } catch (e) {
      requireErr = e;
    }
    expect(missingPackageOf(requireErr)).toBe('isovae-test-not-installed');
    expect(missingPackageOf(new Error('Cannot find package \'x\''))).toBeNull(); // no code: not a resolution error
  });

  it('says which trainer package is missing and prints one npm install line with every range', async () => {
    const peers = { '@isovae-test/not-installed': '^1.2.3', other: '~2.0.0' };
    const msg = missingTrainerMessage(await importError('@isovae-test/not-installed'), 'train', peers);
    expect(msg).toMatch(/"isovae train" needs the trainer/);
    expect(msg).toMatch(/cannot find the package "@isovae-test\/not-installed"/);
    expect(msg).toMatch(/npm install @isovae-test\/not-installed@\^1\.2\.3 other@~2\.0\.0$/);
  });

  it('leaves other errors alone (a missing package that is not a trainer dependency, a plain error)', async () => {
    expect(missingTrainerMessage(await importError('isovae-test-not-installed'), 'train', { other: '1' })).toBeNull();
    expect(missingTrainerMessage(new RangeError('bad'), 'train')).toBeNull();
  });
});
