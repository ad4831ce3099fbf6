/**
 * `isovae serve`: an HTTP inference server over the node runtime (onnxruntime-node; no tfjs, no
 * trainer). OpenAI-shaped `/v1/embeddings`, `/v1/reconstruct`, `/v1/generate`, the Open Inference
 * Protocol (KServe v2) for the encoder, Prometheus `/metrics`, dynamic batching of encoder runs and
 * continuous batching of greedy decoding. Imports runtime/ and core/ only.
 */
export { startServer, type RunningServer } from './server.ts';
export { DEFAULT_SERVE_OPTIONS, resolveServeOptions, type ServeOptions } from './options.ts';
export { HttpError, type HttpErrorType } from './errors.ts';
export { ServedModel, MODEL_NAME } from './served-model.ts';
export { EncodeBatcher, type Encoded } from './encode-batcher.ts';
export { DecodeBatcher, type DecodeWork } from './decode-batcher.ts';
export { float32Base64 } from './openai.ts';
