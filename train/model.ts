import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../core/config.ts';
import { BOS_ID, EOS_ID, PAD_ID } from '../core/special.ts';
import { checkWeights, weightShapes, type WeightName, type Weights } from '../core/weights.ts';

/** tfjs variable names must be unique per process. */
let nextVariableId = 0;

/** Model parameters as tfjs variables, keyed by the names of core/weights.ts. */
export type ParamMap = Map<WeightName, tf.Variable>;

/**
 * One Keras LSTM step (protocol §2.1): gates i, f, g, o along 4H; sigmoid for i, f, o (not tfjs' default
 * hardSigmoid), tanh for g; c' = f*c + i*g, h' = o*tanh(c').
 * @param a pre-activation x@W + h@U + b, [B, 4H]
 * @param c previous cell state [B, H]
 */
export function lstmGates(a: tf.Tensor2D, c: tf.Tensor2D): { h: tf.Tensor2D; c: tf.Tensor2D } {
  return tf.tidy(() => {
    const [ai, af, ag, ao] = tf.split(a, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const cNew = tf.add(tf.mul(tf.sigmoid(af), c), tf.mul(tf.sigmoid(ai), tf.tanh(ag))) as tf.Tensor2D;
    const hNew = tf.mul(tf.sigmoid(ao), tf.tanh(cNew)) as tf.Tensor2D;
    return { h: hNew, c: cNew };
  });
}

/**
 * The paper's LSTM VAE (or AE) as tfjs variables, with straightforward (autodiff-friendly) forward functions.
 * This is the reference the exporter validates against and the trainer's greedy decoder; the fast training
 * step with hand-written gradients lives in step.ts and is tested against autodiff of these functions.
 */
export class TfModel {
  readonly cfg: ModelConfig;
  readonly params: ParamMap;

  /** Copies `w` into new tf.Variables (validated against `cfg`). Call `dispose()` when done. */
  constructor(cfg: ModelConfig, w: Weights) {
    checkWeights(cfg, w, 'TfModel');
    this.cfg = cfg;
    this.params = new Map();
    for (const [name, shape] of weightShapes(cfg)) {
      this.params.set(name, tf.variable(tf.tensor(w[name]!.data, shape), true, `${name}_${nextVariableId++}`));
    }
  }

  /** Parameter by name (throws if the posterior has no such weight). */
  p(name: WeightName): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new RangeError(`TfModel: no weight "${name}" for posterior "${this.cfg.posterior}"`);
    return v;
  }

  /** Host copy of every weight (Keras layout). */
  toWeights(): Weights {
    const w: Weights = {};
    for (const [name, v] of this.params) w[name] = { shape: [...v.shape], data: v.dataSync() as Float32Array };
    return w;
  }

  /** Replace all weights in place (shapes must match). */
  setWeights(w: Weights): void {
    checkWeights(this.cfg, w, 'TfModel.setWeights');
    for (const [name, v] of this.params) tf.tidy(() => v.assign(tf.tensor(w[name]!.data, v.shape)));
  }

  /**
   * Encoder: tokens [B, T] int32, post-padded with PAD=0, one EOS per row. The representation is the LSTM
   * hidden state at the EOS position (the paper's sum over t of h_t·[x_t == EOS]); masked steps carry the
   * state, so padding never changes it. Returns mean [B, K] and logvar [B, K] (IGP: the shared scalar
   * broadcast to K; null for the AE, whose `mean` is the code z).
   */
  encode(tokens: tf.Tensor2D): { mean: tf.Tensor2D; logvar: tf.Tensor2D | null } {
    const out = tf.tidy(() => {
      const [B, T] = tokens.shape;
      const H = this.cfg.hiddenDim;
      const emb = tf.gather(this.p('embedding'), tokens) as tf.Tensor3D; // [B, T, E]
      let h = tf.zeros([B, H]) as tf.Tensor2D;
      let c = tf.zeros([B, H]) as tf.Tensor2D;
      let rep = tf.zeros([B, H]) as tf.Tensor2D;
      for (let t = 0; t < T; t++) {
        const xt = tf.squeeze(tf.slice(emb, [0, t, 0], [B, 1, -1]), [1]) as tf.Tensor2D; // [B, E]
        const a = tf.add(tf.add(tf.matMul(xt, this.p('encoder/kernel')), tf.matMul(h, this.p('encoder/recurrent_kernel'))), this.p('encoder/bias')) as tf.Tensor2D;
        const next = lstmGates(a, c);
        const col = tf.slice(tokens, [0, t], [B, 1]); // [B, 1]
        const mask = tf.notEqual(col, PAD_ID);
        h = tf.where(mask, next.h, h) as tf.Tensor2D;
        c = tf.where(mask, next.c, c) as tf.Tensor2D;
        rep = tf.add(rep, tf.mul(h, tf.cast(tf.equal(col, EOS_ID), 'float32'))) as tf.Tensor2D;
      }
      const { mean, logvar } = this.heads(rep);
      return logvar ? { mean, logvar } : { mean };
    }) as { mean: tf.Tensor2D; logvar?: tf.Tensor2D };
    return { mean: out.mean, logvar: out.logvar ?? null };
  }

  /** Mean and log-variance heads on a representation [B, H]. */
  heads(rep: tf.Tensor2D): { mean: tf.Tensor2D; logvar: tf.Tensor2D | null } {
    const mean = tf.tidy(() => tf.add(tf.matMul(rep, this.p('mean/kernel')), this.p('mean/bias')) as tf.Tensor2D);
    if (this.cfg.posterior === 'ae') return { mean, logvar: null };
    const logvar = tf.tidy(() => {
      const lv = tf.add(tf.matMul(rep, this.p('logvar/kernel')), this.p('logvar/bias')) as tf.Tensor2D;
      // IGP: [B, 1] -> [B, K], the same log-variance for every dimension
      return (this.cfg.posterior === 'iso' ? tf.tile(lv, [1, this.cfg.latentDim]) : lv) as tf.Tensor2D;
    });
    return { mean, logvar };
  }

  /**
   * One decoder step: x = concat(Embedding[token], z) -> LSTM step -> logits = h'@W_out + b_out.
   * token [B] int32, z [B, K], h and c [B, H] -> logits [B, V], h, c.
   */
  decoderStep(token: tf.Tensor1D, z: tf.Tensor2D, h: tf.Tensor2D, c: tf.Tensor2D): { logits: tf.Tensor2D; h: tf.Tensor2D; c: tf.Tensor2D } {
    return tf.tidy(() => {
      const x = tf.concat([tf.gather(this.p('embedding'), token), z], 1); // [B, E+K]
      const a = tf.add(tf.add(tf.matMul(x, this.p('decoder/kernel')), tf.matMul(h, this.p('decoder/recurrent_kernel'))), this.p('decoder/bias')) as tf.Tensor2D;
      const next = lstmGates(a, c);
      const logits = tf.add(tf.matMul(next.h, this.p('output/kernel')), this.p('output/bias')) as tf.Tensor2D;
      return { logits, h: next.h, c: next.c };
    });
  }

  /**
   * Greedy decoding from z [B, K] (protocol §2.4): start at BOS with zero state, feed back the argmax, for at
   * most `steps` steps; stops early once every row has produced EOS. Returns the ids of each row before its
   * first EOS (EOS excluded; a row without EOS keeps all `steps` tokens).
   */
  greedyDecode(z: tf.Tensor2D, steps: number): number[][] {
    const B = z.shape[0];
    const H = this.cfg.hiddenDim;
    const out: number[][] = Array.from({ length: B }, () => []);
    const done = new Array<boolean>(B).fill(false);
    let token = tf.fill([B], BOS_ID, 'int32') as tf.Tensor1D;
    let h = tf.zeros([B, H]) as tf.Tensor2D;
    let c = tf.zeros([B, H]) as tf.Tensor2D;
    for (let s = 0; s < steps && done.some((d) => !d); s++) {
      const step = this.decoderStep(token, z, h, c);
      const next = tf.tidy(() => tf.cast(tf.argMax(step.logits, 1), 'int32')) as tf.Tensor1D;
      const ids = next.dataSync();
      for (let b = 0; b < B; b++) {
        if (done[b]) continue;
        if (ids[b] === EOS_ID) done[b] = true;
        else out[b]!.push(ids[b]!);
      }
      tf.dispose([token, h, c, step.logits]);
      token = next;
      h = step.h;
      c = step.c;
    }
    tf.dispose([token, h, c]);
    return out;
  }

  /** Release every variable. */
  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}

/** Post-pad rows of ids (each ending with EOS) with PAD to a [B, T] int32 tensor; T defaults to the longest row. */
export function padBatch(rows: ArrayLike<number>[], width?: number): tf.Tensor2D {
  const T = width ?? Math.max(1, ...rows.map((r) => r.length));
  const buf = new Int32Array(rows.length * T);
  rows.forEach((r, b) => {
    for (let t = 0; t < Math.min(T, r.length); t++) buf[b * T + t] = r[t]!;
  });
  return tf.tensor2d(buf, [rows.length, T], 'int32');
}

/** Teacher-forcing decoder input: [BOS, x_0, ..., x_{T-2}] for each row of x [B, T] (protocol §2.3). */
export function shiftRight(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T] = x.shape;
    const bos = tf.fill([B, 1], BOS_ID, 'int32');
    return tf.concat([bos, tf.slice(x, [0, 0], [B, T - 1])], 1) as tf.Tensor2D;
  });
}
