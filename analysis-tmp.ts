// Ad-hoc analysis (not committed): spectrum of the test means of finished runs.
import { initBackend } from './train/backend.ts';
import { loadDataset } from './train/data/index.ts';
import { loadCheckpoint } from './train/checkpoint.ts';
import { TfModel } from './train/model.ts';
import { encodeRows } from './train/encode.ts';
import { jacobiEigen } from './eval/linalg.ts';
import { isotropyScore } from './eval/isotropy.ts';
await initBackend('wasm');
const ds = await loadDataset({ kind: 'csv', path: '/work/shared/data/dbpedia' }, { vocabWords: 5000, maxLen: 30, seed: 0 });
const rows = ds.test.ids;
for (const id of process.argv.slice(2)) {
  const ck = loadCheckpoint(`runs/reproduce-dbpedia-small3/runs/${id}/checkpoint`);
  const m = new TfModel(ck.model, ck.weights);
  const enc = encodeRows(m.params, ck.model, rows, 128);
  const N = rows.length, K = ck.model.latentDim;
  const G = new Float64Array(K * K), mu = new Float64Array(K), C = new Float64Array(K * K);
  for (let i = 0; i < N; i++) for (let a = 0; a < K; a++) { mu[a] += enc.mean[i * K + a]! / N; for (let b = 0; b < K; b++) G[a * K + b] += enc.mean[i * K + a]! * enc.mean[i * K + b]! / N; }
  for (let a = 0; a < K; a++) for (let b = 0; b < K; b++) C[a * K + b] = G[a * K + b]! - mu[a]! * mu[b]!;
  const eg = [...jacobiEigen(G, K).values].sort((a, b) => b - a);
  const ec = [...jacobiEigen(C, K).values].sort((a, b) => b - a);
  const sq = mu.reduce((s, v) => s + v * v, 0);
  const lv = enc.logvar ? enc.logvar.reduce((s, v) => s + v, 0) / enc.logvar.length : NaN;
  const is = isotropyScore(enc.mean, N, K).score;
  console.log(id, 'IS', is.toFixed(3), '|mean|^2', sq.toFixed(3), 'avg logvar', lv.toFixed(2), '\n  eig(VtV/N) top5', eg.slice(0, 5).map((v) => v.toFixed(3)).join(' '), 'min', eg[K - 1]!.toFixed(4),
    '\n  eig(Cov) top5', ec.slice(0, 5).map((v) => v.toFixed(3)).join(' '), 'min', ec[K - 1]!.toFixed(4), 'trace', ec.reduce((s, v) => s + v, 0).toFixed(3), 'eff.rank', (ec.reduce((s, v) => s + v, 0) ** 2 / ec.reduce((s, v) => s + v * v, 0)).toFixed(1));
  m.dispose?.();
}
