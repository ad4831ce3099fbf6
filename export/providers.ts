import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

/** Execution providers the parity check knows how to run on onnxruntime-node. */
export type ParityProvider = 'cpu' | 'cuda';

/**
 * Whether onnxruntime-node's CUDA EP libraries are installed (`ONNXRUNTIME_NODE_INSTALL=cuda12`).
 * Checked on disk first so that a CPU-only install does not print onnxruntime's load error.
 */
function cudaLibrariesPresent(): boolean {
  try {
    const binRoot = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin');
    const dirs = readdirSync(binRoot).map((napi) => join(binRoot, napi, process.platform, process.arch));
    return dirs.some((d) => existsSync(join(d, 'libonnxruntime_providers_cuda.so')) || existsSync(join(d, 'onnxruntime_providers_cuda.dll')));
  } catch {
    return false;
  }
}

/**
 * The providers available here, `cpu` always first; `cuda` only if its libraries are installed
 * and a session can be created on it with `probeModel` (a small valid .onnx).
 */
export async function availableProviders(probeModel: Uint8Array): Promise<ParityProvider[]> {
  const out: ParityProvider[] = ['cpu'];
  if (!cudaLibrariesPresent()) return out;
  try {
    const s = await ort.InferenceSession.create(probeModel, { executionProviders: ['cuda'], logSeverityLevel: 4 });
    await s.release();
    out.push('cuda');
  } catch {
    // CUDA libraries present but unusable (no GPU / driver): CPU only.
  }
  return out;
}

/** Open a session on exactly one provider (no silent fallback, so parity is measured where asked). */
export async function openSession(bytes: Uint8Array, provider: ParityProvider): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, { executionProviders: [provider], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
}
