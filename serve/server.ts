import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IsovaeModel, Logger } from '../runtime/index.ts';
import type { RouteContext } from './context.ts';
import { HttpError } from './errors.ts';
import { infer, modelMetadata, kserveModel, serverMetadata } from './kserve.ts';
import { ServerMetrics } from './metrics.ts';
import { embeddings, generate, listModels, reconstruct } from './openai.ts';
import { resolveServeOptions, type ServeOptions } from './options.ts';
import { readJson } from './request.ts';
import { ServedModel } from './served-model.ts';

/** A running server. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  readonly host: string;
  /** The bound port (the free one chosen when `port` was 0). */
  readonly port: number;
  /** The served models by name, with their batchers (run counters for tests and benchmarks). */
  readonly models: ReadonlyMap<string, ServedModel>;
  readonly metrics: ServerMetrics;
  /**
   * Graceful stop: refuse new requests (503 `shutting_down`; health/ready reports not ready),
   * let in-flight requests finish (at most `timeoutMs`, then open connections are cut), close the
   * listener. Does not dispose the models (the caller owns them). Idempotent.
   */
  close(): Promise<void>;
}

/** Routes that never need the API key (load balancers and orchestrators probe them). */
const PUBLIC = new Set(['/health', '/v2/health/live', '/v2/health/ready']);

type Handler = (ctx: RouteContext, req: IncomingMessage, params: string[]) => Promise<unknown> | unknown;
interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** Label for metrics (bounded set, never the raw URL). */
  label: string;
  handler: Handler;
}

const body = (ctx: RouteContext, req: IncomingMessage): Promise<unknown> => readJson(req, ctx.opts.maxBodyBytes);
const ready = (ctx: RouteContext, draining: () => boolean): unknown => {
  if (draining()) throw new HttpError(503, 'shutting_down', 'the server is shutting down.');
  return { ready: true };
};

/**
 * Start `isovae serve` on already loaded models (name -> model; names become URL segments and the
 * `model` field of requests). Binds `opts.host` (default 127.0.0.1) and `opts.port` (0: a free
 * port). Routes: `GET /health`, `GET /v1/models`, `POST /v1/embeddings`, `POST /v1/reconstruct`,
 * `POST /v1/generate`, `GET /v2`, `GET /v2/health/live|ready`, `GET /v2/models/{name}[/ready]`,
 * `POST /v2/models/{name}/infer` (also under `/versions/1`), `GET /metrics`. No route reads a
 * file path from the request. `logger` receives startup and shutdown lines (default console).
 */
export async function startServer(models: ReadonlyMap<string, IsovaeModel>, options: Partial<ServeOptions> = {}, logger: Logger & { info?(m: string): void } = console): Promise<RunningServer> {
  const opts = resolveServeOptions(options);
  if (models.size === 0) throw new RangeError('serve: no model to serve; pass at least one model directory.');
  const metrics = new ServerMetrics();
  const limits = { maxBatch: opts.maxBatch, maxDelayMs: opts.maxDelayMs, maxQueue: opts.maxQueue, retryAfterSeconds: opts.retryAfterSeconds };
  const served = new Map<string, ServedModel>();
  for (const [name, m] of models) served.set(name, new ServedModel(name, m, limits, metrics.observer(name)));
  let draining = false;
  const isDraining = (): boolean => draining;
  const keyDigest = opts.apiKey === null ? null : createHash('sha256').update(opts.apiKey).digest();

  const routes: Route[] = [
    { method: 'GET', pattern: /^\/health$/, label: '/health', handler: (ctx) => ready(ctx, isDraining) },
    { method: 'GET', pattern: /^\/v1\/models$/, label: '/v1/models', handler: (ctx) => listModels(ctx) },
    { method: 'POST', pattern: /^\/v1\/embeddings$/, label: '/v1/embeddings', handler: async (ctx, req) => embeddings(ctx, await body(ctx, req)) },
    { method: 'POST', pattern: /^\/v1\/reconstruct$/, label: '/v1/reconstruct', handler: async (ctx, req) => reconstruct(ctx, await body(ctx, req)) },
    { method: 'POST', pattern: /^\/v1\/generate$/, label: '/v1/generate', handler: async (ctx, req) => generate(ctx, await body(ctx, req)) },
    { method: 'GET', pattern: /^\/v2$/, label: '/v2', handler: () => serverMetadata() },
    { method: 'GET', pattern: /^\/v2\/health\/live$/, label: '/v2/health/live', handler: () => ({ live: true }) },
    { method: 'GET', pattern: /^\/v2\/health\/ready$/, label: '/v2/health/ready', handler: (ctx) => ready(ctx, isDraining) },
    { method: 'GET', pattern: /^\/v2\/models\/([^/]+)(?:\/versions\/1)?$/, label: '/v2/models/{name}', handler: (ctx, _r, [name]) => modelMetadata(ctx, name!) },
    { method: 'GET', pattern: /^\/v2\/models\/([^/]+)(?:\/versions\/1)?\/ready$/, label: '/v2/models/{name}/ready', handler: (ctx, _r, [name]) => (kserveModel(ctx, name!), ready(ctx, isDraining)) },
    { method: 'POST', pattern: /^\/v2\/models\/([^/]+)(?:\/versions\/1)?\/infer$/, label: '/v2/models/{name}/infer', handler: async (ctx, req, [name]) => infer(ctx, name!, await body(ctx, req)) },
  ];

  const authorized = (req: IncomingMessage): boolean => {
    if (!keyDigest) return true;
    const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    return m !== null && timingSafeEqual(createHash('sha256').update(m[1]!.trim()).digest(), keyDigest);
  };

  const send = (res: ServerResponse, status: number, payload: string, type: string, headers: Record<string, string> = {}): void => {
    if (res.headersSent) return;
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(payload), ...(draining ? { Connection: 'close' } : {}), ...headers });
    res.end(payload);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const t0 = performance.now();
    let label = '(unmatched)';
    let status = 500;
    let errorType: string | undefined;
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/metrics') {
        label = '/metrics';
        if (!authorized(req)) throw unauthorized();
        if (req.method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'use GET /metrics.', null, { Allow: 'GET' });
        const { body: text, contentType } = await metrics.render();
        status = 200;
        send(res, status, text, contentType);
        return;
      }
      const matches = routes.map((r) => ({ r, m: r.pattern.exec(path) })).filter((x) => x.m !== null);
      if (matches.length === 0) throw new HttpError(404, 'not_found', `no route ${path}; see the routes in docs/serving.md.`);
      label = matches[0]!.r.label;
      const hit = matches.find((x) => x.r.method === req.method);
      if (!hit) throw new HttpError(405, 'method_not_allowed', `${req.method ?? '?'} is not allowed on ${label}; use ${matches.map((x) => x.r.method).join(' or ')}.`, null, { Allow: matches.map((x) => x.r.method).join(', ') });
      if (!PUBLIC.has(path) && !authorized(req)) throw unauthorized();
      if (draining && !PUBLIC.has(path)) throw new HttpError(503, 'shutting_down', 'the server is shutting down; retry on another instance.');
      const ctx: RouteContext = { opts, models: served, metrics, deadline: { at: t0 + opts.timeoutMs } };
      const params = hit.m!.slice(1).map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          throw new HttpError(400, 'invalid_request', `the path segment "${s}" is not valid percent-encoding.`);
        }
      });
      const out = await hit.r.handler(ctx, req, params);
      status = 200;
      send(res, status, JSON.stringify(out), 'application/json');
    } catch (e) {
      const err = e instanceof HttpError ? e : new HttpError(500, 'internal_error', `internal error: ${(e as Error).message}`);
      if (!(e instanceof HttpError)) logger.warn(`isovae serve: ${label}: ${(e as Error).stack ?? String(e)}`);
      status = err.status;
      errorType = err.type;
      // KServe v2 routes answer { error: "message" } (the protocol's shape); the others OpenAI's { error: { message, type, param, code } }.
      const payload = label.startsWith('/v2') ? { error: err.message } : { error: { message: err.message, type: err.type, param: err.param, code: err.status } };
      // A 413 leaves the rest of the body unread: close that connection once the answer is out.
      const extra: Record<string, string> = err.status === 413 ? { Connection: 'close' } : {};
      if (err.status === 413) res.once('finish', () => req.socket.destroy());
      send(res, status, JSON.stringify(payload), 'application/json', { ...err.headers, ...extra });
    } finally {
      metrics.request(label, status, (performance.now() - t0) / 1000, errorType);
    }
  };

  const server: Server = createServer({ requestTimeout: opts.timeoutMs + 5_000, keepAliveTimeout: 5_000 }, (req, res) => void handle(req, res));
  server.maxHeadersCount = 100;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${hostForUrl}:${addr.port}`,
    host: addr.address,
    port: addr.port,
    models: served,
    metrics,
    close: () => {
      closing ??= (async () => {
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), opts.timeoutMs);
        await Promise.all([...served.values()].map((s) => s.drained()));
        await closed;
        clearTimeout(force);
      })();
      return closing;
    },
  };
}

function unauthorized(): HttpError {
  return new HttpError(401, 'unauthorized', 'missing or wrong API key: send "Authorization: Bearer <key>" (the key given to isovae serve --api-key).', null, { 'WWW-Authenticate': 'Bearer' });
}
