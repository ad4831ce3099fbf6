import * as tf from '@tensorflow/tfjs-core';
import type { TfModel } from '../train/model.ts';
import type { ParityReference } from './parity-types.ts';

/**
 * The trainer's tfjs model as the parity reference: host arrays in, host arrays out, every tfjs
 * tensor disposed (the caller keeps ownership of `model`). Needs an initialised tfjs backend.
 */
export function tfParityReference(model: TfModel): ParityReference {
  const { hiddenDim: H, latentDim: K } = model.cfg;
  const read = async (t: tf.Tensor): Promise<Float32Array> => Float32Array.from(await t.data() as Float32Array);
  return {
    async encode(tokens, batch, seq) {
      const input = tf.tensor2d(tokens, [batch, seq], 'int32');
      const out = model.encode(input);
      try {
        return { mean: await read(out.mean), logvar: out.logvar ? await read(out.logvar) : null };
      } finally {
        tf.dispose([input, out.mean, ...(out.logvar ? [out.logvar] : [])]);
      }
    },
    async decoderStep(token, z, h, c, batch) {
      const inputs = [tf.tensor1d(token, 'int32'), tf.tensor2d(z, [batch, K]), tf.tensor2d(h, [batch, H]), tf.tensor2d(c, [batch, H])] as const;
      const out = model.decoderStep(...inputs);
      try {
        return { logits: await read(out.logits), h: await read(out.h), c: await read(out.c) };
      } finally {
        tf.dispose([...inputs, out.logits, out.h, out.c]);
      }
    },
    async greedyDecode(z, batch, steps) {
      const zt = tf.tensor2d(z, [batch, K]);
      try {
        return model.greedyDecode(zt, steps);
      } finally {
        zt.dispose();
      }
    },
  };
}
