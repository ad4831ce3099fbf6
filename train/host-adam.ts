import type { HostTensor, WeightName } from '../core/weights.ts';
import type { AdamConfig } from './adam.ts';

/**
 * Keras (TF2) Adam on host Float32Arrays, the same update as `Adam` (adam.ts) for engines whose weights live on
 * the host (the onnxruntime engine): m = β1 m + (1−β1) g; v = β2 v + (1−β2) g²;
 * θ −= lr·sqrt(1−β2^t)/(1−β1^t) · m / (sqrt(v) + ε). Each element is computed in float64 and stored as float32,
 * so the result is deterministic (it may differ from tfjs' all-float32 arithmetic in the last bit).
 * State names `m/<weight>`, `v/<weight>` and the step count t are the checkpoint format shared by every engine.
 */
export class HostAdam {
  /** Steps taken so far (t of the bias correction). */
  t = 0;
  private readonly m = new Map<WeightName, Float32Array>();
  private readonly v = new Map<WeightName, Float32Array>();

  /** Zero moments for every parameter in `params` (name -> size). */
  constructor(
    params: ReadonlyMap<WeightName, Float32Array>,
    readonly cfg: AdamConfig,
  ) {
    for (const [name, p] of params) {
      this.m.set(name, new Float32Array(p.length));
      this.v.set(name, new Float32Array(p.length));
    }
  }

  /** One update of every parameter in place with `grads` (same names and sizes as the params). */
  apply(params: ReadonlyMap<WeightName, Float32Array>, grads: ReadonlyMap<WeightName, Float32Array>): void {
    this.t += 1;
    const { lr, beta1, beta2, eps } = this.cfg;
    const lrT = (lr * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t);
    const c1 = 1 - beta1;
    const c2 = 1 - beta2;
    for (const [name, p] of params) {
      const g = grads.get(name);
      if (!g || g.length !== p.length) throw new RangeError(`HostAdam.apply: gradient of "${name}" is ${g ? `${g.length} values, expected ${p.length}` : 'missing'}.`);
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        const mi = beta1 * m[i]! + c1 * gi;
        const vi = beta2 * v[i]! + c2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i]! - (lrT * mi) / (Math.sqrt(vi) + eps);
      }
    }
  }

  /** Copies of the moments for checkpoints: `m/<weight>` and `v/<weight>` with `shapes` of the weights. */
  stateTensors(shapes: ReadonlyMap<WeightName, number[]>): Array<[string, HostTensor]> {
    const out: Array<[string, HostTensor]> = [];
    for (const [prefix, map] of [['m', this.m], ['v', this.v]] as const) {
      for (const [name, data] of map) out.push([`${prefix}/${name}`, { shape: [...shapes.get(name)!], data: data.slice() }]);
    }
    return out;
  }

  /** Restore moments and step count saved by `stateTensors` (or by the tfjs `Adam`: same names). */
  restore(t: number, tensors: ReadonlyMap<string, HostTensor>): void {
    this.t = t;
    for (const [prefix, map] of [['m', this.m], ['v', this.v]] as const) {
      for (const [name, data] of map) {
        const h = tensors.get(`${prefix}/${name}`);
        if (!h || h.data.length !== data.length) throw new RangeError(`HostAdam.restore: optimizer state has ${h ? `a wrong-sized "${prefix}/${name}"` : `no "${prefix}/${name}"`}.`);
        data.set(h.data);
      }
    }
  }
}
