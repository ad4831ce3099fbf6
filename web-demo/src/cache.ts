/**
 * Byte caching with the Cache API (secure contexts only; 127.0.0.1 and https qualify). Entries are
 * keyed by URL plus a version (sha256 of a model file from its manifest, or the onnxruntime version),
 * so a re-exported model or an upgraded runtime is downloaded again and stale entries are deleted.
 * Without the Cache API everything is fetched normally (the HTTP cache still helps).
 */
import { readWithProgress } from '../../runtime/web.ts';

const CACHE = 'isovae-demo-v1';

/** Where the last file came from, for the UI. */
export const cacheStats = { hits: 0, misses: 0, bytesDownloaded: 0 };

async function openCache(): Promise<Cache | null> {
  try {
    return globalThis.caches ? await caches.open(CACHE) : null;
  } catch {
    return null; // e.g. storage disabled
  }
}

/** Drop cached versions of `url` other than `key`. */
async function dropStale(cache: Cache, url: string, key: string): Promise<void> {
  const path = new URL(url).pathname;
  for (const req of await cache.keys()) {
    const u = new URL(req.url);
    if (u.pathname === path && req.url !== key) await cache.delete(req);
  }
}

/**
 * A Response for `url`, from the cache when an entry for (`url`, `version`) exists, else from the
 * network (then stored). Non-OK responses are returned as they are and never cached.
 */
export async function cachedResponse(url: string, version: string): Promise<Response> {
  const cache = await openCache();
  const key = `${url}${url.includes('?') ? '&' : '?'}v=${encodeURIComponent(version)}`;
  const hit = cache ? await cache.match(key) : undefined;
  if (hit) {
    cacheStats.hits++;
    return hit;
  }
  const res = await fetch(url);
  if (!res.ok || !cache) return res;
  cacheStats.misses++;
  cacheStats.bytesDownloaded += Number(res.headers.get('content-length') ?? 0);
  try {
    await cache.put(key, res.clone());
    await dropStale(cache, url, key);
  } catch {
    // quota exceeded: keep working without the cache
  }
  return res;
}

/** The bytes of `url` (cached by `version`), reporting `onProgress(loaded, total)` while reading. */
export async function cachedBytes(url: string, version: string, onProgress: (loaded: number, total: number) => void): Promise<Uint8Array> {
  const res = await cachedResponse(url, version);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${res.statusText}`);
  return readWithProgress(res, url, (p) => onProgress(p.loaded, p.total));
}

/**
 * A `fetch` for runtime/web.ts `loadWebModel`: `manifest.json` always from the network (it names the
 * sha256 of every other file); the vocabulary and graphs from the cache, keyed by those hashes.
 */
export function modelFetch(): typeof fetch {
  const shas = new Map<string, string>();
  return (async (input: RequestInfo | URL) => {
    const url = new URL(String(input), document.baseURI).href;
    if (url.endsWith('/manifest.json')) {
      const res = await fetch(url, { cache: 'no-cache' });
      if (res.ok) {
        try {
          const m = (await res.clone().json()) as { vocab?: { file: string; sha256: string }; graphs?: Record<string, { file: string; sha256: string }> };
          const dir = url.slice(0, url.lastIndexOf('/') + 1);
          for (const f of [m.vocab, ...Object.values(m.graphs ?? {})]) if (f?.file && f.sha256) shas.set(dir + f.file, f.sha256);
        } catch {
          // the runtime reports a bad manifest with a clear message
        }
      }
      return res;
    }
    const sha = shas.get(url);
    return sha ? cachedResponse(url, sha) : fetch(url);
  }) as typeof fetch;
}
