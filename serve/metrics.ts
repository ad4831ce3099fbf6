import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BatchObserver } from './queue.ts';

/** Batch-size buckets: powers of two up to 512 rows. */
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
/** Latency / queue-time buckets in seconds (0.5 ms to 30 s). */
const TIME_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The server's Prometheus metrics (prom-client, one registry per server so several servers in one
 * process, e.g. tests, do not collide), served as text at `GET /metrics`:
 * - `isovae_requests_total{route,status}` and `isovae_request_errors_total{route,type}`;
 * - `isovae_request_duration_seconds{route}` (histogram, arrival to last byte);
 * - `isovae_batch_size{model,graph}` (histogram: rows per encoder run / per decoder step);
 * - `isovae_queue_seconds{model,graph}` (histogram: time a request waited for its first run);
 * - `isovae_queue_depth{model,graph}` (gauge: requests waiting);
 * - `isovae_inputs_total{model,route}` (sentences or rows processed);
 * - node process metrics (`process_resident_memory_bytes`, event-loop lag, ...).
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'status'>;
  private readonly errors: Counter<'route' | 'type'>;
  private readonly latency: Histogram<'route'>;
  private readonly batchSize: Histogram<'model' | 'graph'>;
  private readonly queueTime: Histogram<'model' | 'graph'>;
  private readonly queueDepth: Gauge<'model' | 'graph'>;
  private readonly inputs: Counter<'model' | 'route'>;

  constructor() {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'isovae_requests_total', help: 'HTTP requests answered, by route and status code.', labelNames: ['route', 'status'], registers });
    this.errors = new Counter({ name: 'isovae_request_errors_total', help: 'Requests answered with an error, by route and error type.', labelNames: ['route', 'type'], registers });
    this.latency = new Histogram({ name: 'isovae_request_duration_seconds', help: 'Request latency from arrival to response, seconds.', labelNames: ['route'], buckets: TIME_BUCKETS, registers });
    this.batchSize = new Histogram({ name: 'isovae_batch_size', help: 'Rows per encoder run or per decoder step.', labelNames: ['model', 'graph'], buckets: BATCH_BUCKETS, registers });
    this.queueTime = new Histogram({ name: 'isovae_queue_seconds', help: 'Time a request waited in a batch queue before its first run, seconds.', labelNames: ['model', 'graph'], buckets: TIME_BUCKETS, registers });
    this.queueDepth = new Gauge({ name: 'isovae_queue_depth', help: 'Requests waiting in a batch queue.', labelNames: ['model', 'graph'], registers });
    this.inputs = new Counter({ name: 'isovae_inputs_total', help: 'Sentences encoded or rows decoded, by model and route.', labelNames: ['model', 'route'], registers });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Record one answered request. `route` is the route pattern (never the raw URL: bounded label values). */
  request(route: string, status: number, seconds: number, errorType?: string): void {
    this.requests.inc({ route, status: String(status) });
    this.latency.observe({ route }, seconds);
    if (errorType) this.errors.inc({ route, type: errorType });
  }

  /** Count `n` inputs processed by `route` on `model`. */
  processed(model: string, route: string, n: number): void {
    this.inputs.inc({ model, route }, n);
  }

  /** A BatchObserver that records into these metrics under `model`. */
  observer(model: string): BatchObserver {
    return {
      batch: (graph, size) => this.batchSize.observe({ model, graph }, size),
      queued: (graph, seconds) => this.queueTime.observe({ model, graph }, seconds),
      depth: (graph, jobs) => this.queueDepth.set({ model, graph }, jobs),
    };
  }

  /** Prometheus text exposition and its content type. */
  async render(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
