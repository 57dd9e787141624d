// The rules of Idempotency-Keys: a key lives for 24 hours; the first request with it runs and
// its answer is kept; a retry with the same request gets that answer; the same key with another
// request is refused; a retry while the first still runs waits for its answer (up to WAIT_MS).
import type { Clock } from '../../lib/clock.js';
import { HOUR } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import type { idempotencyRepository, KeyRef } from './repository.js';

const KEY_TTL_MS = 24 * HOUR;
/** How long a retry waits for the first request with its key to finish. */
const WAIT_MS = 10_000;

export type { KeyRef } from './repository.js';

export function idempotencyService(repo: ReturnType<typeof idempotencyRepository>, clock: Clock) {
  return {
    /**
     * Claims `ref` for the request hashed `requestHash`: null when this request is to run, the
     * stored answer when a request like it already ran with the key.
     */
    async claim(ref: KeyRef, requestHash: string): Promise<{ status: number; body: string | null } | null> {
      // A retry that arrives while the first request is still running waits for its answer
      // (so simultaneous requests with one key all get the same answer), up to WAIT_MS.
      const deadline = Date.now() + WAIT_MS;
      for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
        const now = clock.now();
        if (await repo.claim(ref, requestHash, now, new Date(now.getTime() - KEY_TTL_MS))) return null;
        const row = await repo.find(ref);
        if (!row) continue; // the first request failed and gave the key up: this one runs
        if (row.request_hash !== requestHash) {
          throw new ApiError(422, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request. Use a new key for a new request.');
        }
        if (row.status_code !== null) return { status: row.status_code, body: row.response_body };
        if (Date.now() + pause > deadline) {
          throw new ApiError(409, 'idempotency_in_progress', 'A request with this Idempotency-Key is still running. Retry in a moment.', undefined, {
            'Retry-After': '1',
          });
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    },

    /** The answer a retry with the key gets. */
    answer: (ref: KeyRef, status: number, body: string) => repo.saveAnswer(ref, status, body),

    /** Gives the key up (our failure): a retry runs for real. */
    release: (ref: KeyRef) => repo.remove(ref),
  };
}
export type IdempotencyService = ReturnType<typeof idempotencyService>;
