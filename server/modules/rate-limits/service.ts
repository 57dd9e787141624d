import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { hmac } from '../../lib/crypto.js';
import { ApiError } from '../../lib/errors.js';

export interface Limit {
  /** What is counted, e.g. `auth-request:ip:1.2.3.4`. Stored only as a keyed hash. */
  key: string;
  max: number;
  windowMs: number;
}

/**
 * Fixed-window counters in the database, so every server instance shares them.
 * One upsert per check: it starts a new window when the old one has passed.
 */
export function rateLimiter(db: Kysely<DB>, clock: Clock, secret: string) {
  return {
    async hit(limit: Limit): Promise<void> {
      const now = clock.now();
      const windowStart = new Date(now.getTime() - limit.windowMs);
      const key = hmac(secret, `rate:${limit.key}`);
      const row = await db
        .insertInto('rate_limits')
        .values({ key, window_started_at: now, hits: 1 })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            hits: sql<number>`CASE WHEN rate_limits.window_started_at <= ${windowStart} THEN 1 ELSE rate_limits.hits + 1 END`,
            window_started_at: sql<Date>`CASE WHEN rate_limits.window_started_at <= ${windowStart} THEN ${now} ELSE rate_limits.window_started_at END`,
          }),
        )
        .returning(['hits', 'window_started_at'])
        .executeTakeFirstOrThrow();
      if (row.hits > limit.max) {
        const retryAfter = Math.max(1, Math.ceil((row.window_started_at.getTime() + limit.windowMs - now.getTime()) / 1000));
        throw new ApiError(
          429,
          'rate_limited',
          `Too many attempts. Try again in ${retryAfter >= 60 ? `${Math.ceil(retryAfter / 60)} minutes` : `${retryAfter} seconds`}.`,
          { retry_after: retryAfter },
          { 'Retry-After': String(retryAfter) },
        );
      }
    },
  };
}
export type RateLimiter = ReturnType<typeof rateLimiter>;
