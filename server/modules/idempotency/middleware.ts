import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { HOUR } from '../../lib/clock.js';
import { sha256 } from '../../lib/crypto.js';
import { ApiError, errorBody } from '../../lib/errors.js';

const KEY_TTL_MS = 24 * HOUR;
/** How long a retry waits for the first request with its key to finish. */
const WAIT_MS = 10_000;

/**
 * `Idempotency-Key` on mutating requests: the first request with a key runs and its answer
 * is stored; a retry with the same key and the same request gets the stored answer
 * (`Idempotent-Replayed: true`) instead of running again. The same key with a different
 * request is refused; a retry while the first is still running waits for its answer.
 * Keys are scoped to the merchant or to the signed-in customer, and live for 24 hours.
 */
export function idempotency(db: Kysely<DB>, clock: Clock, scopeOf: (c: Parameters<MiddlewareHandler>[0]) => { organizationId: string; scope: string }): MiddlewareHandler {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (!key || c.req.method === 'GET' || c.req.method === 'HEAD' || c.get('idempotencyHandled' as never)) return next();
    c.set('idempotencyHandled' as never, true as never);
    if (key.length > 255) throw new ApiError(400, 'idempotency_key_invalid', 'The Idempotency-Key header must be at most 255 characters.');
    const { organizationId, scope } = scopeOf(c);
    const body = await c.req.text();
    const requestHash = sha256(`${c.req.method} ${c.req.path}\n${body}`);
    const where = (q: any) => q.where('organization_id', '=', organizationId).where('scope', '=', scope).where('key', '=', key);
    // A retry that arrives while the first request is still running waits for its answer
    // (so simultaneous requests with one key all get the same answer), up to WAIT_MS.
    const deadline = Date.now() + WAIT_MS;
    for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
      const now = clock.now();
      const inserted = await db
        .insertInto('idempotency_keys')
        .values({ organization_id: organizationId, scope, key, request_hash: requestHash, created_at: now })
        .onConflict((oc) =>
          // An expired key starts over; a live one is left alone (and not returned).
          oc.columns(['organization_id', 'scope', 'key']).doUpdateSet({ request_hash: requestHash, status_code: null, response_body: null, created_at: now }).where('idempotency_keys.created_at', '<', new Date(now.getTime() - KEY_TTL_MS)),
        )
        .returning('key')
        .executeTakeFirst();
      if (inserted) break;
      const row = await where(db.selectFrom('idempotency_keys').selectAll()).executeTakeFirst();
      if (!row) continue; // the first request failed and gave the key up: this one runs
      if (row.request_hash !== requestHash) {
        throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request. Use a new key for a new request.');
      }
      if (row.status_code !== null) {
        return new Response(row.response_body, {
          status: row.status_code,
          headers: { 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true' },
        });
      }
      if (Date.now() + pause > deadline) {
        throw new ApiError(409, 'idempotency_in_progress', 'A request with this Idempotency-Key is still running. Retry in a moment.', undefined, { 'Retry-After': '1' });
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    try {
      await next();
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) {
        // The caller's mistake or a refusal (a declined card, a changed subscription) is the
        // answer to this request: a retry with the key gets it again instead of running again.
        await where(db.updateTable('idempotency_keys').set({ status_code: error.status, response_body: JSON.stringify(errorBody(error.code, error.message, error.details)) })).execute();
      } else {
        await where(db.deleteFrom('idempotency_keys')).execute();
      }
      throw error;
    }
    const status = c.res.status;
    if (status >= 500) {
      // Our fault: let the client retry for real.
      await where(db.deleteFrom('idempotency_keys')).execute();
      return;
    }
    const text = await c.res.clone().text();
    await where(db.updateTable('idempotency_keys').set({ status_code: status, response_body: text })).execute();
  };
}
