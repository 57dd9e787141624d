import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { WebhookEventType } from './events.js';

export interface WebhookDeps {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  fetch?: typeof fetch;
}

// STUB: to be implemented (durable outbox, Standard Webhooks signatures, retries).
export function webhookService(deps: WebhookDeps) {
  void deps;
  return {
    /**
     * Records the event and one pending delivery per enabled endpoint subscribed to it,
     * using `executor` (the caller's transaction, so the event commits with the change).
     */
    async emit(executor: Kysely<DB>, organizationId: string, type: WebhookEventType, data: Record<string, unknown>): Promise<string | null> {
      void executor;
      void organizationId;
      void type;
      void data;
      return null;
    },
    /** Sends due deliveries, claimed with FOR UPDATE SKIP LOCKED. */
    async deliverDue(options: { limit?: number } = {}): Promise<{ attempted: number; succeeded: number; failed: number }> {
      void options;
      return { attempted: 0, succeeded: 0, failed: 0 };
    },
  };
}
export type WebhookService = ReturnType<typeof webhookService>;
