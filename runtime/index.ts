/**
 * isovae runtime, node entry (`isovae/runtime`): load exported models on onnxruntime-node and
 * encode, sample, decode, reconstruct, impute and interpolate. Never loads tfjs or the trainer.
 * The browser entry is runtime/web.ts (onnxruntime-web injected by the caller).
 */
export { loadModel, loadModelFromBytes, nodePlatform, dirSource, bytesSource } from './node.ts';
export { loadModelFrom, type FileSource } from './load.ts';
export { IsovaeModel, interpolateLatents, type DecodeOptions } from './model.ts';
export type { StepState } from './greedy.ts';
// The model-directory contract (docs/MODEL-DIR.md): types for apps that read manifests themselves.
export { parseManifest, MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION, type ModelManifest, type GraphSpec, type IoSpec, type GraphName } from '../core/model-dir.ts';
export { PROVIDERS, type Decoded, type EncodeResult, type LoadOptions, type Logger, type Ort, type Platform, type Provider } from './types.ts';
export { IsovaeError } from '../core/errors.ts';
export { MODEL_DTYPES, type ModelDtype } from '../core/dtype.ts';
