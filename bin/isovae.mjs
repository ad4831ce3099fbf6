#!/usr/bin/env node
// The `isovae` command. In a checkout (cli/main.ts beside bin/) it runs the TypeScript sources through tsx
// (a devDependency), so `npx isovae` never runs a stale build; the published package ships no sources and
// runs the compiled dist/cli/main.js.
import { existsSync } from 'node:fs';

const source = new URL('../cli/main.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/cli/main.js');
}
