/** Test helpers: tiny served models on a free loopback port, JSON requests. */
import { dirSource, nodePlatform } from '../../runtime/node.ts';
import { loadModelFrom, type IsovaeModel } from '../../runtime/index.ts';
import { startServer, type RunningServer, type ServeOptions } from '../../serve/index.ts';
import { countingOrt, type Counts } from '../runtime/counting-ort.ts';

/** Load `dir` through an onnxruntime that counts runs (counts.runs, counts.decoderBatches). */
export async function countedModel(dir: string): Promise<{ model: IsovaeModel; counts: Counts }> {
  const { ort, counts } = countingOrt();
  const model = await loadModelFrom(nodePlatform(ort), dirSource(dir), { threads: 1 });
  return { model, counts };
}

/** Start a server on 127.0.0.1 with a free port (port 0). */
export function serveOn(models: ReadonlyMap<string, IsovaeModel>, opts: Partial<ServeOptions> = {}): Promise<RunningServer> {
  const quiet = { warn: () => {} };
  return startServer(models, { host: '127.0.0.1', port: 0, ...opts }, quiet);
}

/** A response: status, headers and parsed JSON (or text when not JSON). */
export interface Reply<T = any> {
  status: number;
  headers: Headers;
  json: T;
}

/** POST `body` (an object -> JSON, a string -> sent as is) to `url`. */
export async function post<T = any>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}

/** GET `url`. */
export async function get<T = any>(url: string, headers: Record<string, string> = {}): Promise<Reply<T>> {
  const res = await fetch(url, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as T };
}
