import * as ortNode from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { IsovaeError } from '../../core/errors.ts';
import { dirSource, loadModel, loadModelFrom, nodePlatform } from '../../runtime/index.ts';
import type { Platform, Provider } from '../../runtime/types.ts';
import { tinyModel } from './fixture.ts';

const fx = tinyModel('iso');

function captureLogger(): { warn(m: string): void; messages: string[] } {
  const messages: string[] = [];
  return { messages, warn: (m) => messages.push(m) };
}

// This machine's onnxruntime-node lists "cuda" but was installed without the CUDA libraries.
const cudaMissing = nodePlatform().unavailable('cuda') !== null;

describe('execution providers (node)', () => {
  it.runIf(cudaMissing)('cuda requested without the CUDA EP: warns, names the fix, and runs on cpu', async () => {
    const logger = captureLogger();
    const model = await loadModel(fx.dir, { executionProviders: ['cuda'], logger });
    try {
      expect(model.provider).toBe('cpu');
      expect(logger.messages).toHaveLength(1);
      expect(logger.messages[0]).toMatch(/"cuda" is not available/);
      expect(logger.messages[0]).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12/);
      const res = await model.encode(['the cat']);
      expect(res.mean.length).toBe(fx.cfg.latentDim);
    } finally {
      await model.dispose();
    }
  });

  it.runIf(cudaMissing)('cuda in strict mode: IsovaeError E_PROVIDER', async () => {
    const err = await loadModel(fx.dir, { executionProviders: ['cuda'], strict: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IsovaeError);
    expect((err as IsovaeError).code).toBe('E_PROVIDER');
    expect((err as IsovaeError).message).toMatch(/cuda/);
  });

  it('a browser provider on node warns and falls back to cpu', async () => {
    const logger = captureLogger();
    const model = await loadModel(fx.dir, { executionProviders: ['webgpu', 'wasm'], logger });
    expect(model.provider).toBe('cpu');
    expect(logger.messages).toHaveLength(2);
    await model.dispose();
  });

  it('rejects unknown providers and empty lists', async () => {
    await expect(loadModel(fx.dir, { executionProviders: ['tpu' as Provider] })).rejects.toThrow(RangeError);
    await expect(loadModel(fx.dir, { executionProviders: [] })).rejects.toThrow(TypeError);
  });

  it('an available provider whose session creation fails falls back with a warning (strict: E_PROVIDER)', async () => {
    // A platform that claims cuda is available, so onnxruntime itself fails to load the EP library.
    const base = nodePlatform();
    let calls = 0;
    const fake: Platform = {
      ...base,
      unavailable: (p) => (p === 'cuda' ? null : base.unavailable(p)),
      ort: {
        Tensor: ortNode.Tensor,
        InferenceSession: {
          create: async (bytes: Uint8Array, opts: { executionProviders: string[] }) => {
            calls++;
            if (opts.executionProviders[0] === 'cuda') throw new Error('Failed to load shared library (simulated)');
            return ortNode.InferenceSession.create(bytes, opts);
          },
        } as unknown as Platform['ort']['InferenceSession'],
      },
    };
    const logger = captureLogger();
    const model = await loadModelFrom(fake, dirSource(fx.dir), { executionProviders: ['cuda'], logger });
    expect(model.provider).toBe('cpu');
    expect(logger.messages[0]).toMatch(/"cuda" failed to create a session/);
    expect(calls).toBe(3); // one failed cuda attempt, then decoder + encoder on cpu
    await model.dispose();
    const err = await loadModelFrom(fake, dirSource(fx.dir), { executionProviders: ['cuda'], strict: true }).catch((e: unknown) => e);
    expect((err as IsovaeError).code).toBe('E_PROVIDER');
  });
});
