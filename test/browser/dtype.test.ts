/** The demo's choice of weight precision per backend (web-demo/src/dtype.ts) and the index's `dtypes`. */
import { describe, expect, it } from 'vitest';
import { parseDtypeChoice, pickDtype } from '../../web-demo/src/dtype.ts';
import { parseIndex } from '../../web-demo/src/formats.ts';
import { buildIndex } from '../../web-demo/scripts/make-index.ts';
import { FIXTURE_MODELS } from './harness.ts';

const WASM = { webgpu: false, f16: false };
const GPU = { webgpu: true, f16: false };
const GPU16 = { webgpu: true, f16: true };
const ALL = ['int8', 'fp16'];

describe('demo dtype choice', () => {
  it('auto: int8 on WASM, fp16 on WebGPU with shader-f16, else weight-only int8, else fp32 (with a note)', () => {
    expect(pickDtype('auto', WASM, ALL)).toEqual({ dtype: 'int8', note: null });
    expect(pickDtype('auto', WASM, ALL, 'dynamic')).toEqual({ dtype: 'int8', note: null });
    expect(pickDtype('auto', GPU16, ALL, 'weight-only')).toEqual({ dtype: 'fp16', note: null });
    expect(pickDtype('auto', GPU, ALL)).toEqual({ dtype: 'fp32', note: 'this WebGPU adapter has no shader-f16 feature: using fp32 weights.' });
    expect(pickDtype('auto', GPU, ALL, 'weight-only')).toEqual({ dtype: 'int8', note: 'this WebGPU adapter has no shader-f16 feature: using int8 (weight-only) weights.' });
    // the shipped models: weight-only int8 and no fp16, on any WebGPU adapter
    expect(pickDtype('auto', GPU, ['int8'], 'weight-only')).toEqual({ dtype: 'int8', note: null });
    expect(pickDtype('auto', GPU16, ['int8'], 'weight-only')).toEqual({ dtype: 'int8', note: null });
    // dynamic int8 has no WebGPU kernels: fp32
    expect(pickDtype('auto', GPU, ['int8'], 'dynamic')).toEqual({ dtype: 'fp32', note: null });
    expect(pickDtype('auto', WASM, [])).toEqual({ dtype: 'fp32', note: null }); // a model without variants
    expect(pickDtype('auto', GPU, [])).toEqual({ dtype: 'fp32', note: null });
  });

  it('explicit choices are honoured where they can run, else fp32 with the reason', () => {
    expect(pickDtype('fp32', WASM, ALL).dtype).toBe('fp32');
    expect(pickDtype('int8', GPU, ALL)).toEqual({ dtype: 'int8', note: null });
    expect(pickDtype('fp16', GPU16, ALL)).toEqual({ dtype: 'fp16', note: null });
    expect(pickDtype('fp16', GPU, ALL).note).toMatch(/no shader-f16 feature: using fp32 weights instead of fp16/);
    expect(pickDtype('fp16', WASM, ALL).note).toMatch(/fp16 weights are for WebGPU, which is not in use/);
    expect(pickDtype('int8', WASM, ['fp16'])).toEqual({ dtype: 'fp32', note: 'this model ships no int8 variant: using fp32 weights.' });
  });

  it('parses ?dtype= and the index entry dtypes and int8 scheme', () => {
    expect(['fp32', 'int8', 'fp16', 'int4', null].map(parseDtypeChoice)).toEqual(['fp32', 'int8', 'fp16', 'auto', 'auto']);
    const idx = parseIndex(JSON.stringify({ models: [{ dir: 'igp', dtypes: ['int8'], int8Scheme: 'weight-only' }, { dir: 'dgp' }] }), 'index.json');
    expect(idx.models.map((m) => [m.dtypes, m.int8Scheme])).toEqual([[['int8'], 'weight-only'], [[], null]]);
    expect(() => parseIndex(JSON.stringify({ models: [{ dir: 'igp', dtypes: ['int4'] }] }), 'index.json')).toThrow(/models\[0\]\.dtypes must be an array of "int8" \/ "fp16"/);
    expect(() => parseIndex(JSON.stringify({ models: [{ dir: 'igp', dtypes: ['int8'], int8Scheme: 'q4' }] }), 'index.json')).toThrow(/models\[0\]\.int8Scheme must be "weight-only" or "dynamic"/);
  });

  it('make-index lists the variant sub-directories it finds and the int8 scheme from their manifests', () => {
    expect(buildIndex(FIXTURE_MODELS).models.map((m) => [m.dir, m.dtypes, m.int8Scheme])).toEqual([['igp', ['int8', 'fp16'], 'weight-only'], ['dgp', ['int8', 'fp16'], 'dynamic']]);
  });
});
