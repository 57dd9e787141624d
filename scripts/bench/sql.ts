// SQL helpers of the bench's own connection (the admin role, not the server's).
import { performance } from 'node:perf_hooks';
import type pg from 'pg';

export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(client: pg.Client, text: string, params: unknown[] = []) {
  return (await client.query<T>(text, params)).rows;
}

/** Seconds `work` took. */
export async function timed(work: () => Promise<unknown>) {
  const t0 = performance.now();
  await work();
  return (performance.now() - t0) / 1000;
}

/** now() to the millisecond: the server's rows hold JavaScript dates, and it compares them (a renewal's guarded update) to what it read. */
export const NOW = "date_trunc('milliseconds', now())";

export const TRANSACTION_CONTROL = /^\s*(begin|start transaction|commit|end|rollback|savepoint|release)\b/i;
