// Prometheus metrics (prom-client), one registry per app: requests by route pattern and
// status with a latency histogram, job runs and durations, renewals charged and failed,
// webhook deliveries and emails by result, database pool use.
import type { Context, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Mailer } from '../email/mailer.js';
import { requestMetrics } from './request-metrics.js';

export function createMetrics(options: { pool?: () => { total: number; idle: number; waiting: number } | null; defaults?: boolean } = {}) {
  const registry = new Registry();
  if (options.defaults) collectDefaultMetrics({ register: registry });
  // http_requests_total and http_request_duration_seconds, recorded cheaply (request-metrics.ts).
  const requests = requestMetrics(registry);
  const jobRuns = new Counter({
    name: 'job_runs_total',
    help: 'Background job runs, by job and result.',
    labelNames: ['job', 'result'],
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'job_duration_seconds',
    help: 'Time a background job run took, by job.',
    labelNames: ['job'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
    registers: [registry],
  });
  const renewals = new Counter({
    name: 'renewals_total',
    help: 'Renewal charges, by result (charged, failed).',
    labelNames: ['result'],
    registers: [registry],
  });
  const webhookDeliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts, by result (succeeded, failed).',
    labelNames: ['result'],
    registers: [registry],
  });
  const emails = new Counter({ name: 'emails_total', help: 'Emails, by result (sent, failed).', labelNames: ['result'], registers: [registry] });
  if (options.pool) {
    const read = options.pool;
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections, by state (total, idle, waiting requests).',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const p = read();
        if (!p) return;
        this.set({ state: 'total' }, p.total);
        this.set({ state: 'idle' }, p.idle);
        this.set({ state: 'waiting' }, p.waiting);
      },
    });
  }

  /**
   * Counts and times `run` (the rest of the request) by the route pattern that answered it (not
   * the raw path: ids would explode the labels).
   */
  async function timed(c: Context, run: () => Promise<unknown>): Promise<void> {
    const started = performance.now();
    try {
      await run();
    } finally {
      // The route that answered (not a /v1/* middleware that ran before it).
      requests.record(c.req.method, routePath(c) || 'unmatched', c.res.status, (performance.now() - started) / 1000);
    }
  }
  /** `timed` as a middleware layer of its own (the app calls it from its first layer instead). */
  const middleware: MiddlewareHandler = (c, next) => timed(c, next);

  return {
    registry,
    timed,
    middleware,
    /** Times a job run and counts its result. */
    async job<T>(name: string, run: () => Promise<T>): Promise<T> {
      const end = jobDuration.startTimer({ job: name });
      try {
        const result = await run();
        jobRuns.inc({ job: name, result: 'ok' });
        return result;
      } catch (error) {
        jobRuns.inc({ job: name, result: 'error' });
        throw error;
      } finally {
        end();
      }
    },
    renewal: (result: 'charged' | 'failed') => renewals.inc({ result }),
    webhookDelivery: (result: 'succeeded' | 'failed', count = 1) => count > 0 && webhookDeliveries.inc({ result }, count),
    email: (result: 'sent' | 'failed') => emails.inc({ result }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

/** The mailer, counting what it sent and what failed (at delivery, when it has an outbox). */
export function countedMailer(mailer: Mailer, metrics: Pick<Metrics, 'email'>): Mailer {
  if (mailer.observe) {
    mailer.observe((result) => metrics.email(result));
    return mailer;
  }
  return {
    kind: mailer.kind,
    async send(message) {
      try {
        await mailer.send(message);
        metrics.email('sent');
      } catch (error) {
        metrics.email('failed');
        throw error;
      }
    },
    ...(mailer.close ? { close: () => mailer.close!() } : {}),
  };
}
