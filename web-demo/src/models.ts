/**
 * Loading the demo's models: `models/index.json`, then per entry the exported model directory via
 * runtime/web.ts (`loadWebModel`, cached fetch, progress) and its optional `map.json`.
 */
import { loadWebModel, type IsovaeModel, type Progress } from '../../runtime/web.ts';
import { modelFetch } from './cache.ts';
import { parseIndex, parseMap, type IndexEntry, type MapData, type ModelsIndex } from './formats.ts';
import type { Dtype } from './dtype.ts';
import type { OrtSetup } from './ort-setup.ts';

/** A loaded model with what the demo shows about it. */
export interface DemoModel {
  entry: IndexEntry;
  model: IsovaeModel;
  map: MapData | null;
  /** Why map.json could not be used (null when fine or simply absent). */
  mapError: string | null;
  /** Wall time of the load (download or cache, sha256 checks, session creation), ms. */
  loadMs: number;
  /** Page time (performance.now()) when the model was ready. */
  readyAt: number;
  /** Provider warnings raised while loading (e.g. WebGPU session failed, fell back to wasm). */
  warnings: string[];
  /** The weight precision loaded (`<dir>/` for fp32, `<dir>/<dtype>/` otherwise). */
  dtype: Dtype;
}

const modelsBase = (): string => new URL('models/', document.baseURI).href;

/** Fetch and parse `models/index.json`; a missing file gives a message on how to create it. */
export async function loadIndex(): Promise<ModelsIndex> {
  const url = `${modelsBase()}index.json`;
  let res: Response;
  try {
    res = await fetch(url, { cache: 'no-cache' });
  } catch (e) {
    throw new Error(`${url}: download failed (${(e as Error).message}).`);
  }
  if (res.status === 404) {
    throw new Error(
      `${url} not found. Export models into models/<name>/ (isovae export <checkpoint> models/<name>), ` +
        'then run "npx tsx web-demo/scripts/make-index.ts models" and rebuild (npm run demo).',
    );
  }
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}.`);
  return parseIndex(await res.text(), url);
}

/**
 * Load one model of the index in precision `dtype` (its `<dir>/<dtype>/` variant; fp32 is `<dir>/`) on the
 * configured onnxruntime; `onProgress` follows each file. The map comes from the fp32 directory.
 */
export async function loadDemoModel(entry: IndexEntry, setup: OrtSetup, dtype: Dtype, onProgress: (p: Progress) => void): Promise<DemoModel> {
  const t0 = performance.now();
  const base = `${modelsBase()}${entry.dir}/`;
  const warnings: string[] = [];
  const model = await loadWebModel(dtype === 'fp32' ? base : `${base}${dtype}/`, {
    ort: setup.ort,
    executionProviders: setup.providers,
    fetchFn: modelFetch(),
    onProgress,
    logger: { warn: (m) => warnings.push(m) },
  });
  const loadMs = performance.now() - t0;
  let map: MapData | null = null;
  let mapError: string | null = null;
  try {
    const res = await fetch(`${base}map.json`, { cache: 'no-cache' });
    if (res.ok) map = parseMap(await res.text(), `${base}map.json`, model.latentDim);
  } catch (e) {
    mapError = (e as Error).message;
  }
  return { entry, model, map, mapError, loadMs, readyAt: performance.now(), warnings, dtype: model.dtype };
}
