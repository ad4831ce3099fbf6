/**
 * The demo's file formats (web-demo/src/formats.ts) and the map builder (web-demo/scripts/map-json.ts),
 * in node: a projected test mean lands on its stored coordinate, and bad files give messages naming
 * the file and the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIndex, parseMap, project } from '../../web-demo/src/formats.ts';
import { buildMapJson } from '../../web-demo/scripts/map-json.ts';
import { FIXTURE_MODELS } from './harness.ts';

describe('map.json', () => {
  it('projecting a stored mean with { mean, components } gives its PCA coordinate (rounded to 1e-5)', () => {
    // 5 points in K=3 with a dominant axis; eval/pca computes the coords, formats.project recomputes them.
    const X = [2, 0.1, 0, -1, 0.3, 0.1, 0.5, -0.2, 0.05, -1.5, 0.1, -0.1, 0, -0.3, 0];
    const m = buildMapJson(X, 5, 3, [0, 1, 0, 1, 0], ['a', 'b']);
    const map = parseMap(JSON.stringify(m), 'map.json', 3);
    let worst = 0;
    for (let i = 0; i < 5; i++) {
      const p = project(map, X.slice(3 * i, 3 * i + 3))!;
      worst = Math.max(worst, Math.abs(p[0] - m.coords[i]![0]), Math.abs(p[1] - m.coords[i]![1]));
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
    // Variances: unbiased per-dim variance, by hand for dim 0: mean 0, sum of squares 7.5, / 4.
    expect(m.variances[0]).toBeCloseTo(7.5 / 4, 12);
  });

  it('the committed fixture maps parse, and bad files name the file and the field', () => {
    for (const d of ['igp', 'dgp']) {
      const map = parseMap(readFileSync(join(FIXTURE_MODELS, d, 'map.json'), 'utf8'), `${d}/map.json`, 8);
      expect(map.coords.length).toBe(map.labels.length);
      expect(map.projection).not.toBeNull();
    }
    expect(() => parseMap('{"coords":[[1,2]],"labels":[0],"variances":[1,2]}', 'x/map.json', 8)).toThrow(/x\/map\.json: "variances" must be 8 numbers/);
    expect(() => parseMap('{"coords":[[1]],"labels":[0]}', 'x/map.json', 8)).toThrow(/"coords" must be an array of \[x, y\]/);
    expect(() => parseMap('{"coords":[[1,2]],"labels":[0],"projection":{"mean":[0],"components":[]}}', 'x/map.json', 8)).toThrow(/"projection" must be/);
  });
});

describe('models/index.json', () => {
  it('parses entries, defaults titles, rejects paths that leave models/', () => {
    expect(parseIndex('{"models":[{"dir":"igp"},{"dir":"dgp","title":"DGP"}]}', 'index.json').models).toEqual([
      { dir: 'igp', title: 'igp', dtypes: [], int8Scheme: null },
      { dir: 'dgp', title: 'DGP', dtypes: [], int8Scheme: null },
    ]);
    expect(() => parseIndex('{"models":[{"dir":"../etc"}]}', 'index.json')).toThrow(/models\[0\]\.dir must be a directory name/);
    expect(() => parseIndex('{"models":[]}', 'index.json')).toThrow(/non-empty array/);
    expect(() => parseIndex('nope', 'index.json')).toThrow(/index\.json: not JSON/);
  });
});
