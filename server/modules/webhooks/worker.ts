import type { Logger } from '../../lib/logger.js';
import type { WebhookService } from './service.js';

/**
 * Runs `deliverDue` in the background of a server: again at once while it finds full
 * batches, otherwise every `intervalMs`. Safe on several instances (claims skip each
 * other's rows). `stop()` waits for the run in progress.
 */
export function startWebhookDelivery(
  webhooks: Pick<WebhookService, 'deliverDue'>,
  options: { logger: Logger; intervalMs?: number; batch?: number },
): { stop(): Promise<void> } {
  const intervalMs = options.intervalMs ?? 5000;
  const batch = options.batch ?? 50;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const tick = () => {
    running = (async () => {
      let full = true;
      while (full && !stopped) {
        try {
          const claimed = await webhooks.deliverDue({ limit: batch });
          full = claimed.attempted >= batch;
        } catch (error) {
          options.logger.error({ err: error }, 'webhook delivery run failed');
          full = false;
        }
      }
      if (!stopped) timer = setTimeout(tick, intervalMs);
    })();
  };
  tick();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
