// Worker entry in plain JS. From the sources (a checkout: grad-worker.ts beside this file) workers do not
// inherit tsx's loader, so register it, then load the TypeScript worker; from the compiled package (dist/,
// where this file is copied by scripts/build.mjs) load the compiled worker.
import { existsSync } from 'node:fs';

const source = new URL('./grad-worker.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('./grad-worker.js');
}
