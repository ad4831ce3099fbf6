/**
 * isovae runtime, node entry (`isovae/runtime`): load exported models on onnxruntime-node and
 * encode, sample, decode, reconstruct, impute and interpolate. Never loads tfjs or the trainer.
 * The browser entry is runtime/web.ts (onnxruntime-web injected by the caller).
 */
export { loadModel, loadModelFromBytes, nodePlatform, dirSource, bytesSource } from './node.ts';
export { loadModelFrom, type FileSource } from './load.ts';
export { IsovaeModel, type DecodeOptions } from './model.ts';
export { parseManifest, MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type GraphSpec, type IoSpec, type GraphKey } from './manifest.ts';
export { PROVIDERS, type Decoded, type EncodeResult, type LoadOptions, type Logger, type Ort, type Platform, type Provider } from './types.ts';
export { IsovaeError } from '../core/errors.ts';
export { MODEL_DTYPES, type ModelDtype } from '../core/dtype.ts';
