import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsovaeModel } from '../../runtime/index.ts';
import { tinyModel } from '../runtime/fixture.ts';
import { countedModel, get, post, serveOn } from './helpers.ts';

const fx = tinyModel('iso', { maxLen: 8 });
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let model: IsovaeModel;

beforeAll(async () => {
  ({ model } = await countedModel(fx.dir));
});
afterAll(async () => model.dispose());

describe('isovae serve: access, limits and shutdown', () => {
  it('--api-key: every route but health needs the bearer token', async () => {
    const s = await serveOn(new Map([['m', model]]), { apiKey: 's3cret' });
    try {
      const auth = { authorization: 'Bearer s3cret' };
      expect((await get(`${s.url}/v2/health/live`)).status).toBe(200);
      expect((await get(`${s.url}/v2/health/ready`)).status).toBe(200);
      expect((await get(`${s.url}/health`)).status).toBe(200);
      for (const [path, body] of [['/v1/embeddings', { input: 'a' }], ['/v2/models/m/infer', { inputs: [{ name: 'text', datatype: 'BYTES', shape: [1], data: ['a'] }] }]] as const) {
        const none = await post(`${s.url}${path}`, body);
        expect(none.status, path).toBe(401);
        expect(none.headers.get('www-authenticate')).toBe('Bearer');
        expect((await post(`${s.url}${path}`, body, { authorization: 'Bearer wrong' })).status).toBe(401);
        expect((await post(`${s.url}${path}`, body, auth)).status).toBe(200);
      }
      for (const path of ['/metrics', '/v1/models', '/v2/models/m', '/v2']) {
        expect((await get(`${s.url}${path}`)).status, path).toBe(401);
        expect((await get(`${s.url}${path}`, auth)).status, path).toBe(200);
      }
    } finally {
      await s.close();
    }
  });

  it('a full queue answers 429 with Retry-After; the queued request still succeeds', async () => {
    const s = await serveOn(new Map([['m', model]]), { maxQueue: 1, maxDelayMs: 300, retryAfterSeconds: 2 });
    try {
      const first = post(`${s.url}/v1/embeddings`, { input: 'the cat' }); // waits 300 ms in the queue
      await new Promise((r) => setTimeout(r, 50));
      const second = await post(`${s.url}/v1/embeddings`, { input: 'a dog' });
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('2');
      expect(second.json.error.type).toBe('queue_full');
      expect((await first).status).toBe(200);
      const m = (await get(`${s.url}/metrics`)).json as string;
      expect(m).toMatch(/isovae_request_errors_total\{route="\/v1\/embeddings",type="queue_full"\} 1/);
    } finally {
      await s.close();
    }
  });

  it('a request not served within --timeout-ms answers 503 timeout and its queued work is dropped', async () => {
    const s = await serveOn(new Map([['m', model]]), { timeoutMs: 40, maxDelayMs: 400 });
    try {
      const r = await post(`${s.url}/v1/embeddings`, { input: 'the cat' });
      expect(r.status).toBe(503);
      expect(r.json.error.type).toBe('timeout');
      await new Promise((res) => setTimeout(res, 450));
      expect(s.models.get('m')!.encoder.runs).toBe(0); // the cancelled job never ran
    } finally {
      await s.close();
    }
  });

  it('close(): requests in flight finish with 200, then new connections are refused', async () => {
    const s = await serveOn(new Map([['m', model]]), { maxDelayMs: 150 });
    const inflight = [post(`${s.url}/v1/embeddings`, { input: 'the cat' }), post(`${s.url}/v1/reconstruct`, { input: 'a dog' })];
    await new Promise((r) => setTimeout(r, 40)); // both are queued, waiting for their batch
    const closing = s.close();
    const replies = await Promise.all(inflight);
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    expect(replies[1]!.json.data[0].tokens).toEqual(Array.from((await model.reconstruct(['a dog']))[0]!.ids));
    await closing;
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  });

  it('after a load of concurrent requests, close() then dispose() release every session and the batchers are idle', async () => {
    const { model: m, counts } = await countedModel(fx.dir);
    const s = await serveOn(new Map([['m', m]]), { maxDelayMs: 5 });
    const replies = await Promise.all([
      ...Array.from({ length: 12 }, (_, i) => post(`${s.url}/v1/embeddings`, { input: `the cat ${i}` })),
      ...Array.from({ length: 6 }, (_, i) => post(`${s.url}/v1/generate`, { mode: 'sample', n: 2, seed: i })),
    ]);
    expect(replies.every((r) => r.status === 200)).toBe(true);
    await s.close();
    const served = s.models.get('m')!;
    expect(served.encoder.waiting).toBe(0);
    expect(served.decoder.load).toEqual({ waiting: 0, running: 0 });
    await m.dispose();
    expect(m.sessionsReleased).toBe(true);
    expect(counts.released).toBe(counts.created);
  });

  it('the CLI: SIGTERM while a request is in flight -> the request completes, exit code 0', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/isovae.mjs'), 'serve', `tiny=${fx.dir}`, '--port', '0', '--threads', '1', '--max-delay-ms', '300'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = once(child, 'exit');
    for (let i = 0; i < 200 && !/on http:\/\/\S+/.test(out); i++) await new Promise((r) => setTimeout(r, 50));
    const base = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(base, out + err).toBeDefined();
    const pending = post(`${base}/v1/embeddings`, { model: 'tiny', input: 'the cat sat' });
    await new Promise((r) => setTimeout(r, 80)); // the request waits in the batch queue
    child.kill('SIGTERM');
    const reply = await pending;
    expect(reply.status).toBe(200);
    expect(Float32Array.from(reply.json.data[0].embedding)).toEqual((await model.encode(['the cat sat'])).mean);
    const [code] = await exited;
    expect(code, err).toBe(0);
    expect(out).toContain('isovae serve: stopped');
  }, 30_000);
});
