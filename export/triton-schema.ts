import protobuf from 'protobufjs';

/**
 * The part of Triton's model configuration schema that `isovae export --triton` writes, declared
 * with protobufjs reflection from `protobuf/model_config.proto` of triton-inference-server/common
 * (package `inference`, proto3; read at commit 08365eae35e2305723a46383a02083a7d73f9abd). Field
 * names (snake_case, as the text format spells them), numbers, types, enums and oneofs are the
 * schema's; messages and fields we never write are left out, so the strict parser (pbtxt.ts)
 * rejects them as unknown rather than accepting them unchecked.
 */
const DATA_TYPE = {
  TYPE_INVALID: 0, TYPE_BOOL: 1, TYPE_UINT8: 2, TYPE_UINT16: 3, TYPE_UINT32: 4, TYPE_UINT64: 5, TYPE_INT8: 6, TYPE_INT16: 7,
  TYPE_INT32: 8, TYPE_INT64: 9, TYPE_FP16: 10, TYPE_FP32: 11, TYPE_FP64: 12, TYPE_STRING: 13, TYPE_BF16: 14,
};

const SCHEMA: protobuf.INamespace = {
  nested: {
    inference: {
      nested: {
        DataType: { values: DATA_TYPE },
        ModelTensorReshape: { fields: { shape: { rule: 'repeated', type: 'int64', id: 1 } } },
        ModelInput: {
          nested: { Format: { values: { FORMAT_NONE: 0, FORMAT_NHWC: 1, FORMAT_NCHW: 2 } } },
          fields: {
            name: { type: 'string', id: 1 },
            data_type: { type: 'DataType', id: 2 },
            format: { type: 'Format', id: 3 },
            dims: { rule: 'repeated', type: 'int64', id: 4 },
            reshape: { type: 'ModelTensorReshape', id: 5 },
            is_shape_tensor: { type: 'bool', id: 6 },
            allow_ragged_batch: { type: 'bool', id: 7 },
            optional: { type: 'bool', id: 8 },
          },
        },
        ModelOutput: {
          fields: {
            name: { type: 'string', id: 1 },
            data_type: { type: 'DataType', id: 2 },
            dims: { rule: 'repeated', type: 'int64', id: 3 },
            reshape: { type: 'ModelTensorReshape', id: 5 },
            label_filename: { type: 'string', id: 4 },
            is_shape_tensor: { type: 'bool', id: 6 },
          },
        },
        ModelInstanceGroup: {
          nested: { Kind: { values: { KIND_AUTO: 0, KIND_GPU: 1, KIND_CPU: 2, KIND_MODEL: 3 } } },
          fields: {
            name: { type: 'string', id: 1 },
            kind: { type: 'Kind', id: 4 },
            count: { type: 'int32', id: 2 },
            gpus: { rule: 'repeated', type: 'int32', id: 3 },
          },
        },
        ModelQueuePolicy: {
          nested: { TimeoutAction: { values: { REJECT: 0, DELAY: 1 } } },
          fields: {
            timeout_action: { type: 'TimeoutAction', id: 1 },
            default_timeout_microseconds: { type: 'uint64', id: 2 },
            allow_timeout_override: { type: 'bool', id: 3 },
            max_queue_size: { type: 'uint32', id: 4 },
          },
        },
        ModelDynamicBatching: {
          fields: {
            preferred_batch_size: { rule: 'repeated', type: 'int32', id: 1 },
            max_queue_delay_microseconds: { type: 'uint64', id: 2 },
            preserve_ordering: { type: 'bool', id: 3 },
            priority_levels: { type: 'uint64', id: 4 },
            default_priority_level: { type: 'uint64', id: 5 },
            default_queue_policy: { type: 'ModelQueuePolicy', id: 6 },
          },
        },
        ModelOptimizationPolicy: {
          nested: { Graph: { fields: { level: { type: 'int32', id: 1 } } } },
          fields: { graph: { type: 'Graph', id: 1 } },
        },
        ModelVersionPolicy: {
          nested: {
            Latest: { fields: { num_versions: { type: 'uint32', id: 1 } } },
            All: { fields: {} },
            Specific: { fields: { versions: { rule: 'repeated', type: 'int64', id: 1 } } },
          },
          oneofs: { policy_choice: { oneof: ['latest', 'all', 'specific'] } },
          fields: {
            latest: { type: 'Latest', id: 1 },
            all: { type: 'All', id: 2 },
            specific: { type: 'Specific', id: 3 },
          },
        },
        ModelConfig: {
          // The schema's oneof scheduling_choice also has sequence_batching (13) and ensemble_scheduling (15).
          oneofs: { scheduling_choice: { oneof: ['dynamic_batching'] } },
          fields: {
            name: { type: 'string', id: 1 },
            platform: { type: 'string', id: 2 },
            backend: { type: 'string', id: 17 },
            runtime: { type: 'string', id: 25 },
            version_policy: { type: 'ModelVersionPolicy', id: 3 },
            max_batch_size: { type: 'int32', id: 4 },
            input: { rule: 'repeated', type: 'ModelInput', id: 5 },
            output: { rule: 'repeated', type: 'ModelOutput', id: 6 },
            optimization: { type: 'ModelOptimizationPolicy', id: 12 },
            dynamic_batching: { type: 'ModelDynamicBatching', id: 11 },
            instance_group: { rule: 'repeated', type: 'ModelInstanceGroup', id: 7 },
            default_model_filename: { type: 'string', id: 8 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(SCHEMA);

/** `inference.ModelConfig`: the message a Triton `config.pbtxt` holds (text format). */
export const MODEL_CONFIG: protobuf.Type = root.lookupType('inference.ModelConfig');
