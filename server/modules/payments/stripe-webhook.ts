import { Hono } from 'hono';
import type { Kysely } from 'kysely';
import Stripe from 'stripe';
import type { DB } from '../../db/schema.js';
import type { AppEnv } from '../../http.js';
import type { Clock } from '../../lib/clock.js';
import { errorBody } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/** Stripe's events are small; anything much larger is not from Stripe. */
const MAX_BODY_BYTES = 512 * 1024;

interface Deps {
  db: Kysely<DB>;
  clock: Clock;
  logger: Logger;
  /** whsec_… from the Stripe dashboard (STRIPE_WEBHOOK_SECRET); without it every event is refused. */
  webhookSecret: string | undefined;
}

type EventObject = Record<string, unknown> & { id?: string };

/**
 * What each event means here. The portal's own endpoints already record what matters
 * (the confirm endpoint saves the card, charges and refunds are recorded when made), so
 * these only log. They run inside the transaction that records the event id, so a handler
 * that writes (give it that transaction) stays exactly-once.
 */
function handleEvent(event: Stripe.Event, logger: Logger): void {
  const object = event.data.object as unknown as EventObject;
  const fields = { stripe_event: event.id, stripe_object: object.id };
  switch (event.type) {
    case 'setup_intent.succeeded':
      logger.debug(fields, 'stripe: setup intent succeeded (the card is saved by the portal confirm endpoint)');
      return;
    case 'payment_method.detached':
      logger.info(fields, 'stripe: payment method detached');
      return;
    case 'charge.refunded':
      logger.info({ ...fields, payment_intent: object.payment_intent, amount_refunded: object.amount_refunded }, 'stripe: charge refunded');
      return;
    case 'payment_intent.payment_failed': {
      const lastError = object.last_payment_error as { code?: string; decline_code?: string; message?: string } | null | undefined;
      // Not `code`: the logger redacts fields by that name.
      logger.warn({ ...fields, decline: lastError?.decline_code ?? lastError?.code, reason: lastError?.message }, 'stripe: payment failed');
      return;
    }
    default:
      logger.debug({ ...fields, type: event.type }, 'stripe: event ignored');
  }
}

/**
 * POST /webhooks/stripe: Stripe's events in. The signature is checked against the raw body
 * (`Stripe-Signature`, STRIPE_WEBHOOK_SECRET, timestamps within Stripe's 5-minute tolerance
 * of our clock); each event id is handled once, however often Stripe delivers it.
 */
export function stripeWebhookRoutes({ db, clock, logger, webhookSecret }: Deps) {
  return new Hono<AppEnv>().post(STRIPE_WEBHOOK_PATH, async (c) => {
    if (!webhookSecret) {
      return c.json(errorBody('webhook_not_configured', 'Stripe webhooks are not configured on this server: set STRIPE_WEBHOOK_SECRET.'), 400);
    }
    if (Number(c.req.header('content-length') ?? 0) > MAX_BODY_BYTES) {
      return c.json(errorBody('payload_too_large', 'The event is too large.'), 413);
    }
    const raw = await c.req.text();
    const signature = c.req.header('stripe-signature');
    let event: Stripe.Event;
    try {
      if (!signature) throw new Error('No Stripe-Signature header.');
      event = Stripe.webhooks.constructEvent(raw, signature, webhookSecret, undefined, undefined, clock.now().getTime());
    } catch (error) {
      logger.warn({ reason: (error as Error).message.split('\n')[0] }, 'stripe webhook refused: bad signature');
      return c.json(errorBody('invalid_signature', 'The Stripe-Signature header does not match this payload and the webhook secret.'), 400);
    }
    const handled = await db.transaction().execute(async (trx) => {
      const fresh = await trx
        .insertInto('stripe_events')
        .values({ id: event.id, type: event.type, received_at: clock.now() })
        .onConflict((oc) => oc.column('id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!fresh) return false;
      handleEvent(event, logger);
      return true;
    });
    if (!handled) logger.debug({ stripe_event: event.id }, 'stripe: event already handled');
    return c.json({ received: true, ...(handled ? {} : { duplicate: true }) });
  });
}
