// Worker entry in plain JS: workers do not inherit tsx's loader, so register it, then load the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./grad-worker.ts');
