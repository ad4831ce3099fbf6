import * as tf from '@tensorflow/tfjs-core';
import type { HostTensor, WeightName } from '../core/weights.ts';
import type { ParamMap } from './model.ts';

/** Adam hyper-parameters (Keras defaults, protocol §3: lr 5e-4, β1 0.9, β2 0.999, ε 1e-7). */
export interface AdamConfig {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/**
 * Keras (TF2) Adam, dense: m = β1 m + (1-β1) g; v = β2 v + (1-β2) g²;
 * θ -= lr·sqrt(1-β2^t)/(1-β1^t) · m / (sqrt(v) + ε)   (the "ε-hat" form; no AMSGrad, no clipping).
 * Keras applies the embedding's sparse gradient with a dense decay of m and v, which equals this dense update.
 * State (m, v, t) is exported and restored for bit-exact resume.
 */
export class Adam {
  readonly cfg: AdamConfig;
  /** Steps taken so far (t of the bias correction). */
  t = 0;
  private m = new Map<WeightName, tf.Variable>();
  private v = new Map<WeightName, tf.Variable>();

  constructor(params: ParamMap, cfg: AdamConfig) {
    this.cfg = cfg;
    for (const [name, p] of params) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** Apply one update with `grads` (same names as the params; the caller disposes the grads). */
  apply(params: ParamMap, grads: Map<WeightName, tf.Tensor>): void {
    this.t += 1;
    const { lr, beta1, beta2, eps } = this.cfg;
    const lrT = (lr * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    for (const [name, p] of params) {
      const g = grads.get(name);
      if (!g) throw new RangeError(`Adam.apply: no gradient for "${name}"`);
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      tf.tidy(() => {
        const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(mNew);
        v.assign(vNew);
        p.assign(tf.sub(p, tf.mul(tf.div(mNew, tf.add(tf.sqrt(vNew), eps)), lrT)));
      });
    }
  }

  /** Host copies of the moments, for checkpoints: names `m/<weight>` and `v/<weight>`. */
  stateTensors(): Array<[string, HostTensor]> {
    const out: Array<[string, HostTensor]> = [];
    for (const [name, m] of this.m) out.push([`m/${name}`, { shape: [...m.shape], data: m.dataSync() as Float32Array }]);
    for (const [name, v] of this.v) out.push([`v/${name}`, { shape: [...v.shape], data: v.dataSync() as Float32Array }]);
    return out;
  }

  /** Restore moments and step count saved by `stateTensors`. */
  restore(t: number, tensors: Map<string, HostTensor>): void {
    this.t = t;
    for (const [prefix, map] of [['m', this.m], ['v', this.v]] as const) {
      for (const [name, variable] of map) {
        const h = tensors.get(`${prefix}/${name}`);
        if (!h) throw new RangeError(`Adam.restore: optimizer state has no "${prefix}/${name}"`);
        tf.tidy(() => variable.assign(tf.tensor(h.data, variable.shape)));
      }
    }
  }

  /** Release the moment variables. */
  dispose(): void {
    for (const v of [...this.m.values(), ...this.v.values()]) v.dispose();
    this.m.clear();
    this.v.clear();
  }
}
