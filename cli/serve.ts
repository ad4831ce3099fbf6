import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel, type IsovaeModel } from '../runtime/index.ts';
import { DEFAULT_SERVE_OPTIONS, MODEL_NAME, startServer, type ServeOptions } from '../serve/index.ts';
import { intArg, loadOptionsFrom, MODEL_OPTIONS } from './encode.ts';

const D = DEFAULT_SERVE_OPTIONS;
const USAGE = `Usage: isovae serve <model-dir>... [options]

Serve exported models over HTTP (onnxruntime-node). Each <model-dir> is served under the name of
its folder, or under NAME with NAME=<model-dir>. Routes (docs/serving.md):
  POST /v1/embeddings   OpenAI shape: {"model","input": string|string[],"encoding_format":"float"|"base64"}
  POST /v1/reconstruct  {"model","input","max_tokens"}
  POST /v1/generate     {"model","mode":"sample"|"impute"|"interpolate", ...}
  GET  /v2/health/live, /v2/health/ready, /v2/models/<name>;  POST /v2/models/<name>/infer (KServe v2)
  GET  /v1/models, /health, /metrics (Prometheus)

Options:
  --host <addr>          interface to bind (default ${D.host}: this machine only; 0.0.0.0 exposes it)
  --port <n>             TCP port, 0 = any free port (default ${D.port})
  --api-key <key>        require "Authorization: Bearer <key>" on every route but health
                         (or set ISOVAE_API_KEY, which keeps the key out of the process list)
  --max-batch <n>        most sentences per encoder run / rows per decoder step (default ${D.maxBatch})
  --max-delay-ms <ms>    how long an idle batcher waits for more requests (default ${D.maxDelayMs})
  --max-queue <n>        requests waiting per model and graph before 429 + Retry-After (default ${D.maxQueue})
  --max-body-bytes <n>   largest request body, else 413 (default ${D.maxBodyBytes})
  --max-inputs <n>       sentences (or generated rows) per request (default ${D.maxInputs})
  --max-chars <n>        characters per input text (default ${D.maxChars})
  --max-tokens <n>       largest max_tokens a request may ask for (default ${D.maxTokens})
  --timeout-ms <ms>      answer 503 "timeout" after this long (default ${D.timeoutMs})
  --provider <list>      execution providers in order: cpu, cuda (default cpu)
  --strict               fail instead of falling back when a provider is unavailable
  --threads <n>          onnxruntime intra-op threads per session (default: all cores)
  --spin                 let onnxruntime's threads spin-wait between operators (default off: the cores stay
                         free for the HTTP server between runs)
  -h, --help             show this help
SIGTERM / SIGINT: stop accepting, finish the requests in flight, exit 0.`;

/** Parse `NAME=dir` or `dir` (name = folder name) into [name, dir]. */
export function modelArg(arg: string): [string, string] {
  const eq = arg.indexOf('=');
  const [name, dir] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [basename(resolve(arg)), arg];
  if (!MODEL_NAME.test(name)) throw new RangeError(`isovae serve: model name "${name}" (from "${arg}") must be letters, digits, _ - . (at most 64); give one with NAME=<model-dir>.`);
  return [name, dir];
}

/** `isovae serve <model-dir>... [options]`: runs until SIGTERM/SIGINT, then exits 0 after draining. */
export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      host: { type: 'string' },
      port: { type: 'string' },
      'api-key': { type: 'string' },
      spin: { type: 'boolean' },
      'max-batch': { type: 'string' },
      'max-delay-ms': { type: 'string' },
      'max-queue': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      'max-inputs': { type: 'string' },
      'max-chars': { type: 'string' },
      'max-tokens': { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (positionals.length === 0) throw new RangeError(`isovae serve: expected at least one <model-dir>.\n\n${USAGE}`);
  const pairs = positionals.map(modelArg);
  const dup = pairs.find(([n], i) => pairs.findIndex(([m]) => m === n) !== i);
  if (dup) throw new RangeError(`isovae serve: two models are named "${dup[0]}"; name them with NAME=<model-dir>.`);
  const int = (flag: string, min: number): number | undefined => {
    const v = (values as Record<string, string | boolean | undefined>)[flag];
    return typeof v === 'string' ? intArg(v, `--${flag}`, min) : undefined;
  };
  const opts: Partial<ServeOptions> = {
    host: values.host, port: int('port', 0), apiKey: values['api-key'] ?? process.env.ISOVAE_API_KEY ?? null,
    maxBatch: int('max-batch', 1), maxDelayMs: int('max-delay-ms', 0), maxQueue: int('max-queue', 1),
    maxBodyBytes: int('max-body-bytes', 64), maxInputs: int('max-inputs', 1), maxChars: int('max-chars', 1),
    maxTokens: int('max-tokens', 1), timeoutMs: int('timeout-ms', 1),
  };
  if (opts.apiKey === '') opts.apiKey = null;
  // Spinning intra-op threads would take the cores from the event loop that parses and answers requests.
  const loadOpts = { ...loadOptionsFrom(values), spinning: values.spin === true };
  const models = new Map<string, IsovaeModel>();
  try {
    for (const [name, dir] of pairs) models.set(name, await loadModel(dir, loadOpts));
    const server = await startServer(models, opts);
    const names = [...models.entries()].map(([n, m]) => `${n} (${m.config.posterior}, K=${m.latentDim}, ${m.provider})`).join(', ');
    console.log(`isovae serve: ${names} on ${server.url}${opts.apiKey ? ' (API key required)' : ''}`);
    if (server.host !== '127.0.0.1' && server.host !== '::1' && !opts.apiKey) console.warn('isovae serve: listening beyond loopback without --api-key: anyone who can reach this port can use it.');
    await new Promise<void>((resolve) => {
      const stop = (sig: string): void => {
        console.log(`isovae serve: ${sig}: finishing requests in flight, then exiting`);
        process.off('SIGTERM', onTerm);
        process.off('SIGINT', onInt);
        resolve();
      };
      const onTerm = (): void => stop('SIGTERM');
      const onInt = (): void => stop('SIGINT');
      process.on('SIGTERM', onTerm);
      process.on('SIGINT', onInt);
    });
    await server.close();
    console.log('isovae serve: stopped');
  } finally {
    for (const m of models.values()) await m.dispose();
  }
}
