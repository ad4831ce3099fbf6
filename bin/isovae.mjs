#!/usr/bin/env node
// The package ships TypeScript sources; tsx (a dependency) compiles them on the fly.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
