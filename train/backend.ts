import * as tf from '@tensorflow/tfjs-core';
import { IsovaeError } from '../core/errors.ts';

/** tfjs backends the trainer can run on. `auto` = tfjs-node when installed and loadable, else wasm. */
export type BackendChoice = 'auto' | 'wasm' | 'node' | 'cpu';

/**
 * Select and initialise a tfjs backend; returns the name actually in use.
 * - `wasm` (default): @tensorflow/tfjs-backend-wasm, its .wasm files ship inside the npm package.
 * - `node`: @tensorflow/tfjs-node, an optional accelerator (its install downloads libtensorflow, so it is
 *   not a dependency); `auto` uses it when it is installed and loads.
 * - `cpu`: plain JS, ~25x slower than wasm; for debugging.
 * Throws `IsovaeError('E_BACKEND')` when an explicitly requested backend cannot load.
 */
export async function initBackend(choice: BackendChoice = 'auto'): Promise<string> {
  if (choice === 'node' || choice === 'auto') {
    try {
      // A variable specifier keeps bundlers and the typechecker from requiring the optional package.
      const name = '@tensorflow/tfjs-node';
      await import(/* @vite-ignore */ name);
      if (await tf.setBackend('tensorflow')) {
        await tf.ready();
        return 'tensorflow';
      }
    } catch (err) {
      if (choice === 'node') {
        throw new IsovaeError(
          'E_BACKEND',
          `--backend node: @tensorflow/tfjs-node could not be loaded (${(err as Error).message}). ` +
            'Install it with `npm install @tensorflow/tfjs-node` (needs network access to download libtensorflow) or use --backend wasm.',
          { cause: err },
        );
      }
    }
  }
  if (choice === 'cpu') {
    await import('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    return 'cpu';
  }
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) {
    throw new IsovaeError('E_BACKEND', 'the tfjs wasm backend failed to initialise; try --backend cpu.');
  }
  await tf.ready();
  return 'wasm';
}
