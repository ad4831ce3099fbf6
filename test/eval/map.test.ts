import { describe, expect, it } from 'vitest';
import { linePlotSvg } from '../../eval/line-plot-svg.ts';
import { map2dSvg } from '../../eval/map2d.ts';
import { pca } from '../../eval/pca.ts';
import { normal, seededUniform } from '../../eval/random.ts';
import { scatterSvg } from '../../eval/scatter-svg.ts';
import { niceTicks } from '../../eval/svg.ts';
import { tsne } from '../../eval/tsne.ts';

/** `perClass` Gaussian points (std 0.5) around `classes` centres 6 apart on different axes of R^K. */
function blobs(classes: number, perClass: number, K: number, seed: number): { x: Float64Array; y: Int32Array; n: number } {
  const u = seededUniform(seed);
  const n = classes * perClass;
  const x = new Float64Array(n * K);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let k = 0; k < K; k++) x[i * K + k] = (k === c ? 6 : 0) + 0.5 * normal(u);
  }
  return { x, y, n };
}

/** Fraction of points whose nearest other point (in 2-D) has the same class. */
function nnAgreement(coords: Float64Array, labels: ArrayLike<number>, n: number): number {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bd = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = ((coords[2 * i] as number) - (coords[2 * j] as number)) ** 2 + ((coords[2 * i + 1] as number) - (coords[2 * j + 1] as number)) ** 2;
      if (d < bd) { bd = d; best = j; }
    }
    if (labels[best] === labels[i]) ok++;
  }
  return ok / n;
}

/** Checks that every opened tag is closed in order (a minimal well-formedness check without a parser). */
function tagsBalanced(svg: string): boolean {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (selfClose) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name as string);
  }
  return stack.length === 0;
}

describe('pca', () => {
  it('hand case rows (a, a, 0) for a = -1, 0, 1: direction (1,1,0)/sqrt2, variance 2, coords a*sqrt2', () => {
    // Covariance (ddof 1) = [[1,1,0],[1,1,0],[0,0,0]] -> eigenvalues 2, 0, 0.
    const r = pca([-1, -1, 0, 0, 0, 0, 1, 1, 0], 3, 3, 1);
    expect(r.variances[0]).toBeCloseTo(2, 14);
    expect(r.directions[0]).toBeCloseTo(Math.SQRT1_2, 14);
    expect(r.directions[1]).toBeCloseTo(Math.SQRT1_2, 14);
    expect(Array.from(r.coords).map((v) => +v.toFixed(12))).toEqual([-Math.SQRT2, 0, Math.SQRT2].map((v) => +v.toFixed(12)));
    expect(r.totalVariance).toBeCloseTo(2, 14);
  });
  it('separates blobs', () => {
    const b = blobs(3, 40, 6, 1);
    expect(nnAgreement(pca(b.x, b.n, 6).coords, b.y, b.n)).toBeGreaterThan(0.95);
  });
});

describe('tsne', () => {
  it('separates 4 blobs in 8-D (nearest-neighbour class agreement > 0.95), deterministic for a seed', () => {
    const b = blobs(4, 25, 8, 2);
    const opts = { perplexity: 10, iterations: 300, seed: 3 };
    const r = tsne(b.x, b.n, 8, opts);
    expect(r.coords).toHaveLength(2 * b.n);
    expect(r.coords.every(Number.isFinite)).toBe(true);
    expect(nnAgreement(r.coords, b.y, b.n)).toBeGreaterThan(0.95);
    expect(r.kl).toBeGreaterThan(0);
    expect(tsne(b.x, b.n, 8, opts).coords).toEqual(r.coords);
  });
  it('subsamples above maxPoints and reports the original row indices', () => {
    const b = blobs(2, 30, 3, 4);
    const r = tsne(b.x, b.n, 3, { perplexity: 5, iterations: 50, maxPoints: 20, init: 'random' });
    expect(r.indices).toHaveLength(20);
    expect(new Set(r.indices).size).toBe(20);
    expect(Array.from(r.indices)).toEqual(Array.from(r.indices).sort((a, c) => a - c));
  });
  it('rejects a perplexity >= the number of points', () => {
    expect(() => tsne([0, 1, 2, 3], 2, 2)).toThrow(RangeError);
  });
});

describe('SVG output', () => {
  it('scatter: one circle per point, a legend entry per class, escaped names, balanced tags', () => {
    const coords = [0, 0, 1, 1, 2, 0.5];
    const svg = scatterSvg(coords, 3, [0, 1, 1], { title: 'Test <map>', classNames: ['A & B', 'C'] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain('A &amp; B');
    expect(svg).toContain('Test &lt;map&gt;');
    expect(svg).not.toContain('NaN');
    expect(tagsBalanced(svg)).toBe(true);
    expect(svg.match(/data-class="1"/g)).toHaveLength(2);
  });
  it('line plot: log-x sample-efficiency style with error bars', () => {
    const svg = linePlotSvg(
      [
        { name: 'IGP', x: [0.001, 0.01, 0.1, 1], y: [0.6, 0.7, 0.8, 0.85], err: [0.02, 0.01, 0.01, 0.005] },
        { name: 'DGP', x: [0.001, 0.01, 0.1, 1], y: [0.5, 0.62, 0.75, 0.81] },
      ],
      { title: 'Sample efficiency', xLabel: 'training data', yLabel: 'accuracy', xTickFormat: (f) => `${f * 100}%` },
    );
    expect(tagsBalanced(svg)).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(8);
    expect(svg).toContain('>0.1%<');
    expect(svg).toContain('>100%<');
    expect(svg).not.toContain('NaN');
    expect(() => linePlotSvg([{ name: 'bad', x: [0, 1], y: [1, 2] }])).toThrow(RangeError);
  });
  it('niceTicks gives round steps covering the range', () => {
    // Raw step (0.87 - 0.52) / 5 = 0.07 -> next of {1, 2, 5, 10} x 0.01 is 0.1 -> 0.6, 0.7, 0.8.
    expect(niceTicks(0.52, 0.87, 5)).toEqual([0.6, 0.7, 0.8]);
    expect(niceTicks(-0.3, 0.3, 3)).toEqual([-0.2, 0, 0.2]);
    expect(niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
  });
});

describe('map2dSvg', () => {
  it('PCA map: every point drawn once with its own class colour tag', () => {
    const b = blobs(3, 20, 4, 6);
    const r = map2dSvg(b.x, b.n, 4, b.y, { method: 'pca', svg: { classNames: ['x', 'y', 'z'] } });
    expect(r.svg.match(/<circle /g)).toHaveLength(60);
    for (const c of [0, 1, 2]) expect(r.svg.match(new RegExp(`data-class="${c}"`, 'g'))).toHaveLength(20);
    expect(tagsBalanced(r.svg)).toBe(true);
  });
  it('t-SNE map with subsampling keeps labels aligned to the sampled rows', () => {
    const b = blobs(2, 30, 3, 8);
    const r = map2dSvg(b.x, b.n, 3, b.y, { tsne: { perplexity: 5, iterations: 100, maxPoints: 40 } });
    expect(r.indices).toHaveLength(40);
    const expected = [0, 1].map((c) => Array.from(r.indices).filter((i) => b.y[i] === c).length);
    for (const c of [0, 1]) expect((r.svg.match(new RegExp(`data-class="${c}"`, 'g')) ?? []).length).toBe(expected[c]);
  });
});
