import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../core/config.ts';
import { EOS_ID, PAD_ID } from '../../core/special.ts';
import type { ParamMap } from '../../train/model.ts';
import { lstmGates, padBatch, shiftRight } from '../../train/model.ts';

/**
 * The training objective written the plain way (batch-major, masked loops, dense one-hot cross-entropy),
 * for tfjs autodiff to differentiate. Independent of train/step.ts, whose hand-written gradients are
 * checked against tf.variableGrads of this function. Returns the scalar batch-mean loss.
 */
export function referenceLoss(
  params: ParamMap,
  cfg: ModelConfig,
  rows: Int32Array[],
  o: { cT: number; beta: number; batchSize: number; eps: Float32Array },
): tf.Scalar {
  const P = (n: Parameters<ParamMap['get']>[0]) => params.get(n)! as tf.Tensor as tf.Tensor2D;
  const x = padBatch(rows);
  const [B, T] = x.shape;
  const H = cfg.hiddenDim;
  const K = cfg.latentDim;
  const V = cfg.vocabSize;
  const emb = tf.gather(P('embedding'), x) as tf.Tensor as tf.Tensor3D;
  let h = tf.zeros([B, H]) as tf.Tensor2D;
  let c = tf.zeros([B, H]) as tf.Tensor2D;
  let rep = tf.zeros([B, H]) as tf.Tensor2D;
  for (let t = 0; t < T; t++) {
    const xt = tf.reshape(tf.slice(emb, [0, t, 0], [B, 1, -1]), [B, -1]) as tf.Tensor2D;
    const a = tf.add(tf.add(tf.matMul(xt, P('encoder/kernel')), tf.matMul(h, P('encoder/recurrent_kernel'))), P('encoder/bias')) as tf.Tensor2D;
    const next = lstmGates(a, c);
    const col = tf.slice(x, [0, t], [B, 1]);
    const m = tf.cast(tf.notEqual(col, PAD_ID), 'float32');
    h = tf.add(tf.mul(m, next.h), tf.mul(tf.sub(1, m), h)) as tf.Tensor2D;
    c = tf.add(tf.mul(m, next.c), tf.mul(tf.sub(1, m), c)) as tf.Tensor2D;
    rep = tf.add(rep, tf.mul(h, tf.cast(tf.equal(col, EOS_ID), 'float32'))) as tf.Tensor2D;
  }
  const mean = tf.add(tf.matMul(rep, P('mean/kernel')), P('mean/bias')) as tf.Tensor2D;
  let z = mean;
  let klTerm: tf.Tensor1D = tf.zeros([B]);
  if (cfg.posterior !== 'ae') {
    let lv = tf.add(tf.matMul(rep, P('logvar/kernel')), P('logvar/bias')) as tf.Tensor2D;
    if (cfg.posterior === 'iso') lv = tf.tile(lv, [1, K]) as tf.Tensor2D;
    z = tf.add(mean, tf.mul(tf.exp(tf.mul(lv, 0.5)), tf.tensor2d(o.eps.subarray(0, B * K), [B, K]))) as tf.Tensor2D;
    const kl = tf.mul(0.5, tf.sum(tf.sub(tf.sub(tf.add(tf.square(mean), tf.exp(lv)), 1), lv), 1)) as tf.Tensor1D;
    klTerm = tf.mul(o.beta, tf.abs(tf.sub(kl, o.cT))) as tf.Tensor1D;
  }
  const y = shiftRight(x);
  const ye = tf.gather(P('embedding'), y) as tf.Tensor as tf.Tensor3D;
  h = tf.zeros([B, H]);
  c = tf.zeros([B, H]);
  let rec = tf.zeros([B]) as tf.Tensor1D;
  for (let t = 0; t < T; t++) {
    const yt = tf.reshape(tf.slice(ye, [0, t, 0], [B, 1, -1]), [B, -1]);
    const inp = tf.concat([yt, z], 1);
    const a = tf.add(tf.add(tf.matMul(inp, P('decoder/kernel')), tf.matMul(h, P('decoder/recurrent_kernel'))), P('decoder/bias')) as tf.Tensor2D;
    const next = lstmGates(a, c);
    h = next.h;
    c = next.c;
    const logp = tf.logSoftmax(tf.add(tf.matMul(h, P('output/kernel')), P('output/bias')));
    const target = tf.reshape(tf.slice(x, [0, t], [B, 1]), [B]) as tf.Tensor1D;
    const nll = tf.neg(tf.sum(tf.mul(tf.oneHot(target, V), logp), 1));
    rec = tf.add(rec, tf.mul(nll, tf.cast(tf.notEqual(target, PAD_ID), 'float32'))) as tf.Tensor1D;
  }
  return tf.div(tf.sum(tf.add(klTerm, rec)), o.batchSize) as tf.Scalar;
}
