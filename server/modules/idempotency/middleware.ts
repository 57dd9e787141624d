import type { MiddlewareHandler } from 'hono';
import { sha256 } from '../../lib/crypto.js';
import { ApiError, errorBody } from '../../lib/errors.js';
import type { IdempotencyService } from './service.js';

/**
 * `Idempotency-Key` on mutating requests: the first request with a key runs and its answer
 * is stored; a retry with the same key and the same request gets the stored answer
 * (`Idempotent-Replayed: true`) instead of running again. The same key with a different
 * request is refused; a retry while the first is still running waits for its answer.
 * Keys are scoped to the merchant or to the signed-in customer, and live for 24 hours
 * (the rules are in service.ts).
 */
export function idempotency(
  keys: IdempotencyService,
  scopeOf: (c: Parameters<MiddlewareHandler>[0]) => { organizationId: string; scope: string },
): MiddlewareHandler {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (!key || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (key.length > 255) throw new ApiError(400, 'idempotency_key_invalid', 'The Idempotency-Key header must be at most 255 characters.');
    const ref = { ...scopeOf(c), key };
    const body = await c.req.text();
    const stored = await keys.claim(ref, sha256(`${c.req.method} ${c.req.path}\n${body}`));
    if (stored) {
      return new Response(stored.body, {
        status: stored.status,
        headers: { 'Content-Type': 'application/json', 'Idempotent-Replayed': 'true' },
      });
    }
    try {
      await next();
    } catch (error) {
      if (error instanceof ApiError && error.status < 500) {
        // The caller's mistake or a refusal (a declined card, a changed subscription) is the
        // answer to this request: a retry with the key gets it again instead of running again.
        await keys.answer(ref, error.status, JSON.stringify(errorBody(error.code, error.message, error.details)));
      } else {
        await keys.release(ref);
      }
      throw error;
    }
    const status = c.res.status;
    if (status >= 500) {
      // Our fault: let the client retry for real.
      await keys.release(ref);
      return;
    }
    await keys.answer(ref, status, await c.res.clone().text());
  };
}
