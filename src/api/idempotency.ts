import { ApiError } from './errors.js';

/**
 * The `Idempotency-Key` of one customer action (cancel, change, pay…). A retry after an
 * answer that never arrived (offline, timeout, 5xx) sends the same key, so the server does
 * the action once even if it already had; once the server has answered (2xx, or a 4xx it
 * stores and would replay), the next attempt is a new action with a new key.
 */
export class ActionKey {
  #key?: string;

  get value(): string {
    this.#key ??= crypto.randomUUID();
    return this.#key;
  }

  /** Call with the attempt's error (or nothing on success). */
  settle(error?: unknown): void {
    const unanswered = error instanceof ApiError ? error.status === 0 || error.status >= 500 : error !== undefined;
    if (!unanswered) this.#key = undefined;
  }

  /** The customer changed what the action does: a new key. */
  reset(): void {
    this.#key = undefined;
  }
}
