import { Rng } from './core/rng.ts';
import { initWeights } from './train/init.ts';
import { OrtStepSessions } from './train/ort/step-session.ts';
import { weightShapes, type WeightName } from './core/weights.ts';
import type { ModelConfig } from './core/config.ts';
const cfg: ModelConfig = { posterior: 'iso', vocabSize: 12003, embeddingDim: 200, hiddenDim: 512, latentDim: 32 };
const rng = new Rng(0);
const w = initWeights(cfg, rng);
const params = new Map(weightShapes(cfg).map(([n]) => [n, w[n]!.data] as [WeightName, Float32Array]));
const s = await OrtStepSessions.create(cfg, { profile: '/tmp/ortdev/p2' });
const rows = Array.from({ length: 128 }, () => { const r = new Int32Array(25); for (let t = 0; t < 24; t++) r[t] = 3 + Math.floor(rng.next() * 12000); r[24] = 2; return r; });
const eps = new Float32Array(128 * 32);
for (let i = 0; i < 4; i++) { const t0 = performance.now(); await s.gradients(params, rows, { eps, cT: 5, beta: 1 }); console.log('step', (performance.now() - t0).toFixed(0)); }
s.endProfiling(); await s.release();
