import type { Logger } from './lib/logger.js';
import type { SubscriptionService } from './modules/subscriptions/service.js';
import type { WebhookService } from './modules/webhooks/service.js';

/**
 * The background jobs: renewals, payment retries, webhook delivery. Each claims its work in
 * the database (FOR UPDATE SKIP LOCKED, with a lease), so any number of server instances can
 * run them, and a crash half-way only delays the work until the lease ends.
 */
export function jobRunner(deps: {
  subscriptions: SubscriptionService;
  webhooks: WebhookService;
  logger: Logger;
  expireCredits: () => Promise<number>;
  /** Card refunds a dead process left pending (asked again with the same idempotency key). */
  settleRefunds: () => Promise<number>;
}) {
  let running: Promise<unknown> | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function runOnce() {
    // Expired credit is written off before renewals, so it is never applied to an invoice.
    const expired = await deps.expireCredits();
    // Charged changes and card refunds a dead process left half-way are finished first.
    const recovered = (await deps.subscriptions.recoverOperations()) + (await deps.settleRefunds());
    const renewed = await deps.subscriptions.renewDue();
    const retried = await deps.subscriptions.retryDue();
    const delivered = await deps.webhooks.deliverDue();
    if (renewed || retried || expired || recovered || delivered.attempted) deps.logger.info({ renewed, retried, expired, recovered, webhooks: delivered }, 'jobs ran');
    return { renewed, retried, expired, recovered, webhooks: delivered };
  }

  return {
    runOnce,
    /** Runs the jobs every `seconds`, never two runs at once in this process. */
    start(seconds: number) {
      if (seconds <= 0 || timer) return;
      timer = setInterval(() => {
        if (running) return;
        running = runOnce()
          .catch((error: unknown) => deps.logger.error({ err: error }, 'jobs failed'))
          .finally(() => {
            running = null;
          });
      }, seconds * 1000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
