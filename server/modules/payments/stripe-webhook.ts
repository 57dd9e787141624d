import { Hono } from 'hono';
import Stripe from 'stripe';
import type { AppEnv } from '../../http.js';
import type { Clock } from '../../lib/clock.js';
import { errorBody } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { StripeEventService } from './stripe-events.js';

export const STRIPE_WEBHOOK_PATH = '/webhooks/stripe';

/** Stripe's events are small; anything much larger is not from Stripe. */
const MAX_BODY_BYTES = 512 * 1024;

interface Deps {
  events: StripeEventService;
  clock: Clock;
  logger: Logger;
  /** whsec_… from the Stripe dashboard (STRIPE_WEBHOOK_SECRET); without it every event is refused. */
  webhookSecret: string | undefined;
}

/**
 * POST /webhooks/stripe: Stripe's events in. The signature is checked against the raw body
 * (`Stripe-Signature`, STRIPE_WEBHOOK_SECRET, timestamps within Stripe's 5-minute tolerance
 * of our clock); each event id is stored and handled once, however often Stripe delivers it
 * (stripe-events.ts). A redelivery is a 200 with `duplicate: true`, so Stripe stops sending it;
 * an event type we do not handle is stored and acknowledged.
 */
export function stripeWebhookRoutes({ events, clock, logger, webhookSecret }: Deps) {
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
    const { duplicate } = await events.receive(event);
    return c.json({ received: true, ...(duplicate ? { duplicate: true } : {}) });
  });
}
