import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Webhook } from 'standardwebhooks';
import type { DB } from '../../db/schema.js';
import { HOUR, MINUTE, SECOND, type Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { guardedFetch, refusedUrl, type Lookup } from './address-guard.js';
import type { WebhookEventType } from './events.js';
import { webhookRepository, type ClaimedDelivery, type EndpointFields, type WebhookDeliveryLogRow, type WebhookEndpointRow } from './repository.js';

export interface WebhookDeps {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  fetch?: typeof fetch;
  /**
   * Endpoints on loopback, private, link-local or metadata addresses (a local receiver in
   * development; WEBHOOK_ALLOW_PRIVATE_URLS). Refused unless true: see address-guard.ts.
   */
  allowPrivateUrls?: boolean;
  /** Name resolution for that check (tests may pass their own). */
  lookup?: Lookup;
}

/**
 * Standard Webhooks' suggested schedule: after the first attempt fails, retry after
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h; a delivery whose last attempt fails is failed.
 */
export const RETRY_DELAYS_MS = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/**
 * A claimed delivery is not handed to another worker for this long: a dead process's claims are
 * sent again within a minute. A batch (16 at 8 at a time, each ≤ 10 s) finishes inside it.
 */
export const DELIVERY_LEASE_MS = 60 * SECOND;
export const DELIVERY_TIMEOUT_MS = 10 * SECOND;
/** After a rotation, how long the previous secret keeps signing beside the new one. */
export const SECRET_OVERLAP_MS = 24 * HOUR;
const SEND_CONCURRENCY = 8;
const MAX_ERROR_LENGTH = 500;
const MAX_RESPONSE_SNIPPET = 200;

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function truncate(text: string, max = MAX_ERROR_LENGTH): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return `No response within ${DELIVERY_TIMEOUT_MS / SECOND} s.`;
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message;
    return detail ? `${error.message} (${detail})` : error.message;
  }
  return String(error);
}

/** The start of a failed response's body, for the delivery log; the rest is discarded. */
async function responseSnippet(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_RESPONSE_SNIPPET) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } catch {
    // a body that breaks off is still a failed delivery; the status code says enough
  } finally {
    reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, MAX_RESPONSE_SNIPPET)).replace(/\s+/g, ' ').trim();
}

/** Runs `work` over `items`, at most `concurrency` at a time. */
async function eachLimited<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export function webhookService(deps: WebhookDeps) {
  const { clock, logger } = deps;
  const repo = webhookRepository(deps.db);
  const allowPrivate = deps.allowPrivateUrls ?? false;
  // Without private addresses, deliveries connect through our own lookup (checked at connect).
  const send = deps.fetch ?? (allowPrivate ? fetch : guardedFetch(deps.lookup ? { lookup: deps.lookup } : {}));

  /** At registration: a URL whose host is (or resolves to) a private address is refused. */
  async function assertPublicUrl(url: string | undefined): Promise<void> {
    if (allowPrivate || url === undefined) return;
    const reason = await refusedUrl(url, deps.lookup);
    if (reason) {
      throw new ApiError(400, 'webhook_url_not_allowed', `url: ${reason}. Webhooks are only sent to public addresses.`, [{ path: 'url', message: reason }]);
    }
  }

  const notFound = (id: string) => new ApiError(404, 'webhook_endpoint_not_found', `No webhook endpoint ${id}.`);

  /** The signature with the secret, and with the previous one while it still signs (space-separated, Standard Webhooks). */
  function signatures(delivery: ClaimedDelivery, sentAt: Date, body: string): string {
    const current = new Webhook(delivery.secret).sign(delivery.event_id, sentAt, body);
    const previous =
      delivery.previous_secret && delivery.previous_secret_expires_at && delivery.previous_secret_expires_at > sentAt
        ? new Webhook(delivery.previous_secret).sign(delivery.event_id, sentAt, body)
        : null;
    return previous ? `${current} ${previous}` : current;
  }

  /** One HTTP attempt. Never throws; never logs or returns the secret or the signature. */
  async function attempt(delivery: ClaimedDelivery): Promise<{ ok: boolean; statusCode: number | null; error: string | null }> {
    const body = JSON.stringify(delivery.payload);
    try {
      // Checked again at every delivery: the name may resolve elsewhere than at registration.
      const refused = allowPrivate ? undefined : await refusedUrl(delivery.url, deps.lookup);
      if (refused) return { ok: false, statusCode: null, error: truncate(`Not sent: ${refused}.`) };
      const sentAt = clock.now();
      const res = await send(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'customer-portal-webhooks/1',
          'webhook-id': delivery.event_id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': signatures(delivery, sentAt, body),
        },
        body,
        // A redirect is a failed delivery (Standard Webhooks), and never followed elsewhere.
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      if (res.status >= 200 && res.status < 300) {
        await res.body?.cancel().catch(() => {});
        return { ok: true, statusCode: res.status, error: null };
      }
      const snippet = await responseSnippet(res);
      return { ok: false, statusCode: res.status, error: truncate(`HTTP ${res.status}${snippet ? `: ${snippet}` : ''}`) };
    } catch (error) {
      return { ok: false, statusCode: null, error: truncate(describeError(error)) };
    }
  }

  return {
    async create(organizationId: string, input: { url: string; events: WebhookEventType[]; enabled?: boolean }): Promise<WebhookEndpointRow> {
      await assertPublicUrl(input.url);
      const now = clock.now();
      return repo.insertEndpoint({
        id: newId('we', now.getTime()),
        organization_id: organizationId,
        url: input.url,
        secret: newSecret(),
        events: input.events,
        enabled: input.enabled ?? true,
        now,
      });
    },

    async get(organizationId: string, id: string): Promise<WebhookEndpointRow> {
      const row = await repo.findEndpoint(organizationId, id);
      if (!row) throw notFound(id);
      return row;
    },

    list: (organizationId: string, opts: { limit: number; startingAfter?: string }) => repo.listEndpoints(organizationId, opts),

    async update(organizationId: string, id: string, fields: EndpointFields): Promise<WebhookEndpointRow> {
      await assertPublicUrl(fields.url);
      const row = await repo.updateEndpoint(organizationId, id, fields);
      if (!row) throw notFound(id);
      return row;
    },

    /**
     * A new signing secret. The old one keeps signing next to it for 24 hours (both signatures
     * in webhook-signature), so the merchant's receiver can move to the new one without refusing
     * a delivery in between.
     */
    async rotateSecret(organizationId: string, id: string): Promise<WebhookEndpointRow> {
      const row = await repo.rotateSecret(organizationId, id, newSecret(), new Date(clock.now().getTime() + SECRET_OVERLAP_MS));
      if (!row) throw notFound(id);
      return row;
    },

    async remove(organizationId: string, id: string): Promise<void> {
      if (!(await repo.deleteEndpoint(organizationId, id))) throw notFound(id);
    },

    async deliveries(organizationId: string, endpointId: string, opts: { limit: number; startingAfter?: string }): Promise<WebhookDeliveryLogRow[]> {
      await this.get(organizationId, endpointId);
      return repo.listDeliveries(organizationId, endpointId, opts);
    },

    /**
     * Records the event and one pending delivery per enabled endpoint subscribed to it,
     * using `executor` (the caller's transaction, so the event commits with the change).
     * One statement, whether or not any endpoint listens. Returns the event id, which is
     * also the `webhook-id` every attempt carries (the receiver's idempotency key).
     */
    async emit(executor: Kysely<DB>, organizationId: string, type: WebhookEventType, data: Record<string, unknown>): Promise<string> {
      const now = clock.now();
      const id = newId('evt', now.getTime());
      const payload = { type, timestamp: now.toISOString(), data };
      const deliveries = await repo.insertEvent(executor, { id, organization_id: organizationId, type, payload, now });
      logger.debug({ event_id: id, type, deliveries }, 'webhook event recorded');
      return id;
    },

    /**
     * Sends due deliveries: claims them (FOR UPDATE SKIP LOCKED, with a lease, committed
     * before any request goes out), sends, then records each outcome. At least once: a
     * crash between sending and recording sends the same webhook-id again after the lease.
     * `attempted` counts requests made; `failed` those that did not get a 2xx (retried
     * later or, after the last attempt, failed for good).
     */
    async deliverDue(options: { limit?: number } = {}): Promise<{ attempted: number; succeeded: number; failed: number }> {
      const now = clock.now();
      const claimed = await repo.claimDue(now, new Date(now.getTime() + DELIVERY_LEASE_MS), options.limit ?? 16);
      const counts = { attempted: 0, succeeded: 0, failed: 0 };

      await eachLimited(claimed, SEND_CONCURRENCY, async (delivery) => {
        const log = { delivery_id: delivery.id, event_id: delivery.event_id, attempt: delivery.attempts };
        if (!delivery.enabled) {
          await repo.recordAttempt(delivery.id, delivery.attempts, {
            status: 'failed',
            statusCode: null,
            error: 'Not sent: the endpoint is disabled.',
            nextAttemptAt: null,
            now: clock.now(),
          });
          logger.info(log, 'webhook not sent: endpoint disabled');
          return;
        }

        counts.attempted += 1;
        const result = await attempt(delivery);
        const at = clock.now();
        if (result.ok) {
          counts.succeeded += 1;
          await repo.recordAttempt(delivery.id, delivery.attempts, {
            status: 'succeeded',
            statusCode: result.statusCode,
            error: null,
            nextAttemptAt: null,
            now: at,
          });
          logger.info({ ...log, status_code: result.statusCode }, 'webhook delivered');
          return;
        }

        counts.failed += 1;
        const delay = RETRY_DELAYS_MS[delivery.attempts - 1];
        const retry = delay !== undefined;
        await repo.recordAttempt(delivery.id, delivery.attempts, {
          status: retry ? 'pending' : 'failed',
          statusCode: result.statusCode,
          error: result.error,
          nextAttemptAt: retry ? new Date(at.getTime() + delay) : null,
          now: at,
        });
        // The receiver's answer (which may echo the payload) stays in the merchant's delivery
        // log; the server's log gets the status, or our own description of a network failure.
        logger.warn(
          { ...log, status_code: result.statusCode, ...(result.statusCode === null ? { error: result.error } : {}), will_retry: retry },
          'webhook delivery failed',
        );
      });
      return counts;
    },
  };
}
export type WebhookService = ReturnType<typeof webhookService>;

export function webhookEndpointView(row: WebhookEndpointRow) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    enabled: row.enabled,
    secret: row.secret,
    /** Until then the previous secret signs too (after a rotation). */
    previous_secret_expires_at: row.previous_secret_expires_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

export function webhookDeliveryView(row: WebhookDeliveryLogRow) {
  return {
    id: row.id,
    event_id: row.event_id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
