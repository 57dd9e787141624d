// Health, readiness and metrics for whoever runs the server: a load balancer, an orchestrator,
// Prometheus.
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { Database } from '../../db/client.js';
import { migrationFiles } from '../../db/migrate.js';
import { ApiError, errorBody } from '../../lib/errors.js';
import type { Metrics } from './metrics.js';

export interface OpsState {
  /** Set when the process is shutting down: readiness fails so traffic moves elsewhere. */
  draining: boolean;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function opsRoutes(deps: { database: Database; metrics: Metrics; metricsToken: string | undefined; state: OpsState }) {
  const expected = migrationFiles().length;
  return (
    new Hono()
      // The process is up and serving HTTP (liveness): never touches the database.
      .get('/healthz', (c) => c.json({ ok: true }))
      .get('/health', (c) => c.json({ ok: true }))
      // Ready for traffic: the database answers and every migration is applied; 503 otherwise.
      .get('/readyz', async (c) => {
        if (deps.state.draining) return c.json(errorBody('shutting_down', 'This instance is shutting down.'), 503, { 'Retry-After': '1' });
        try {
          const row = await sql<{ applied: number }>`SELECT count(*)::int AS applied FROM schema_migrations`.execute(deps.database.db);
          const applied = Number(row.rows[0]?.applied ?? 0);
          if (applied < expected) return c.json(errorBody('migrations_pending', `${expected - applied} database migrations are not applied yet.`), 503);
          return c.json({ ok: true, database: deps.database.kind, migrations: applied });
        } catch {
          return c.json(errorBody('database_unavailable', 'The database does not answer.'), 503, { 'Retry-After': '2' });
        }
      })
      // Prometheus text, behind METRICS_TOKEN (or on METRICS_PORT, see runtime.ts).
      .get('/metrics', async (c) => {
        if (!deps.metricsToken) throw new ApiError(404, 'not_found', 'Metrics are off: set METRICS_TOKEN (or METRICS_PORT).');
        const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
        if (!given || !sameToken(given, deps.metricsToken)) throw new ApiError(401, 'invalid_metrics_token', 'Send "Authorization: Bearer <METRICS_TOKEN>".');
        return c.body(await deps.metrics.registry.metrics(), 200, { 'Content-Type': deps.metrics.registry.contentType });
      })
  );
}
