import type { Logger } from './lib/logger.js';
import type { Metrics } from './modules/ops/metrics.js';
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
  /** Emails to customers whose default card expires within a month (once per card per expiry). */
  cardExpiryNotices?: () => Promise<number>;
  /** The email outbox: sends what is due (none without SMTP). */
  deliverEmails?: () => Promise<{ sent: number; failed: number; retried: number }>;
  metrics?: Metrics | undefined;
}) {
  let running: Promise<unknown> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopping = false;
  const job = <T>(name: string, run: () => Promise<T>, idle: T): Promise<T> => {
    // Shutting down: no new step starts; what is not done waits for the next instance (leases).
    if (stopping) return Promise.resolve(idle);
    return deps.metrics ? deps.metrics.job(name, run) : run();
  };

  async function runOnce() {
    // Expired credit is written off before renewals, so it is never applied to an invoice.
    const expired = await job('expire_credits', deps.expireCredits, 0);
    // Charged changes and card refunds a dead process left half-way are finished first.
    const recovered = (await job('recover_operations', () => deps.subscriptions.recoverOperations(), 0)) + (await job('settle_refunds', deps.settleRefunds, 0));
    const renewed = await job('renewals', () => deps.subscriptions.renewDue(10, () => stopping), 0);
    const retried = await job('payment_retries', () => deps.subscriptions.retryDue(10, () => stopping), 0);
    if (deps.cardExpiryNotices) await job('card_expiry_notices', deps.cardExpiryNotices, 0);
    const delivered = await job('webhook_deliveries', () => deps.webhooks.deliverDue(), { attempted: 0, succeeded: 0, failed: 0 });
    const emails = deps.deliverEmails ? await job('emails', deps.deliverEmails, { sent: 0, failed: 0, retried: 0 }) : { sent: 0, failed: 0, retried: 0 };
    deps.metrics?.webhookDelivery('succeeded', delivered.succeeded);
    deps.metrics?.webhookDelivery('failed', delivered.failed);
    if (renewed || retried || expired || recovered || delivered.attempted || emails.sent || emails.failed || emails.retried)
      deps.logger.info({ renewed, retried, expired, recovered, webhooks: delivered, emails }, 'jobs ran');
    return { renewed, retried, expired, recovered, webhooks: delivered, emails };
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
    /** No new run or step starts; resolves when the running one has finished its current step. */
    async stop() {
      stopping = true;
      if (timer) clearInterval(timer);
      timer = null;
      await running;
    },
  };
}
