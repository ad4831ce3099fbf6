import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { IsovaeError } from '../core/errors.ts';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import * as ortNode from 'onnxruntime-node';
import type { FileSource } from './load.ts';
import { loadModelFrom } from './load.ts';
import type { IsovaeModel } from './model.ts';
import type { LoadOptions, Ort, Platform, Provider } from './types.ts';

/**
 * Node platform: onnxruntime-node, sha256 via node:crypto. Providers: `cpu` always; `cuda` only when
 * onnxruntime-node was installed with its CUDA libraries (checked by file, so a missing EP never
 * reaches onnxruntime's native loader).
 */
export function nodePlatform(ort: Ort = ortNode): Platform {
  return {
    ort,
    sha256: async (bytes) => createHash('sha256').update(bytes).digest('hex'),
    unavailable: nodeUnavailable,
    fallback: 'cpu',
  };
}

function nodeUnavailable(p: Provider): string | null {
  if (p === 'cpu') return null;
  if (p === 'wasm' || p === 'webgpu') return `"${p}" is a browser provider (onnxruntime-web); on node use "cpu" or "cuda"`;
  const backends = ortNode.listSupportedBackends();
  if (!backends.some((b) => b.name === 'cuda')) return `this onnxruntime-node build (${process.platform}-${process.arch}) has no CUDA execution provider`;
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  const bin = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', process.platform, process.arch);
  if (!existsSync(join(bin, lib))) {
    return `onnxruntime-node was installed without its CUDA libraries (${lib} not in ${bin}); reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node`;
  }
  return null;
}

/** A FileSource over a directory on disk. */
export function dirSource(dir: string): FileSource {
  const root = resolve(dir);
  return {
    where: (name) => join(root, name),
    read: async (name) => {
      try {
        const buf = await readFile(join(root, name));
        return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return null;
        if (code === 'ENOTDIR') throw new IsovaeError('E_MANIFEST', `${dir} is a file, not a model directory; give the directory written by isovae export.`, { cause: e });
        if (code === 'EISDIR') throw new IsovaeError('E_MODEL_FILE', `${join(root, name)} is a directory; the model directory is damaged, re-export it.`, { cause: e });
        throw new IsovaeError('E_MODEL_FILE', `${join(root, name)}: cannot read (${code ?? 'error'}: ${(e as Error).message}).`, { cause: e });
      }
    },
  };
}

/** A FileSource over in-memory files keyed by their manifest names (`manifest.json`, `vocab.txt`, ...). */
export function bytesSource(files: Readonly<Record<string, Uint8Array | string>>, label = '(bytes)'): FileSource {
  return {
    where: (name) => `${label}/${name}`,
    read: async (name) => {
      const v = files[name];
      if (v === undefined) return null;
      return typeof v === 'string' ? new TextEncoder().encode(v) : v;
    },
  };
}

/**
 * Load a model directory written by `isovae export` on onnxruntime-node.
 * Default providers `['cpu']`; `['cuda']` falls back to cpu with a warning unless `strict`.
 * Throws `IsovaeError` ('E_MANIFEST' | 'E_VOCAB' | 'E_MODEL_FILE' | 'E_PROVIDER') naming the file.
 */
export async function loadModel(dir: string, opts: LoadOptions = {}): Promise<IsovaeModel> {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('loadModel: dir must be a non-empty path.');
  return loadModelFrom(nodePlatform(), dirSource(dir), opts);
}

/** Load a model from in-memory files keyed by manifest file names (node, onnxruntime-node). */
export async function loadModelFromBytes(files: Readonly<Record<string, Uint8Array | string>>, opts: LoadOptions = {}): Promise<IsovaeModel> {
  return loadModelFrom(nodePlatform(), bytesSource(files), opts);
}
