import type { IoSpec } from '../core/model-dir.ts';
import { makeValueInfo } from '../onnx/builder.ts';
import type { ValueInfoMsg } from '../onnx/onnx-proto.ts';

// The graph IO specs are part of the model-directory contract (core/model-dir.ts); re-exported here so
// the graph builders read them from one place.
export { decoderInputs, decoderOutputs, encoderInputs, encoderOutputs, graphIo, type GraphName, type IoSpec } from '../core/model-dir.ts';

/** ValueInfo declarations for a list of IO specs. */
export function toValueInfos(specs: readonly IoSpec[]): ValueInfoMsg[] {
  return specs.map((s) => makeValueInfo(s.name, s.dtype, s.shape));
}
