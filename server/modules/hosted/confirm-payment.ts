import { Hono } from 'hono';
import { confirmCompleteRequest, confirmSessionRequest, confirmStartRequest } from '../../../src/schemas/payments.js';
import type { Config } from '../../config.js';
import type { OrderRow, PaymentRow } from '../../db/schema.js';
import { isSameOrigin, portalRouter, type AppEnv } from '../../http.js';
import { MINUTE } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { jsonBody } from '../../lib/validate.js';
import type { Services } from '../../services.js';
import { brandingOf } from '../organizations/service.js';
import { hostedPage, hostedPageFor } from './page.js';

const OPEN_TTL_MS = 15 * MINUTE;
const CONFIRM_TTL_MS = 30 * MINUTE;

/**
 * The hosted confirm page: a payment the card's bank wants the customer to authenticate (SCA /
 * 3-D Secure) is confirmed here, in an iframe like the card form. The widget asks for an "open"
 * token naming the payment (POST /portal/v1/payments/confirm-session); the page trades it once
 * for what Stripe.js needs (`handleNextAction({clientSecret})`) and a "confirm" token; after the
 * challenge it asks the server to settle the payment, which reads the PaymentIntent back from
 * the processor (orders.settleAuthentication) rather than trusting the page.
 */
export function hostedConfirmPayment(services: Services, config: Config) {
  const tokens = services.hostedTokens;
  const expired = () => new ApiError(400, 'hosted_token_invalid', 'This page has expired or was already used. Close it and try again.');

  /** A change or resume waiting on this order: a failed authentication undoes it instead of leaving it to dunning. */
  async function inFlightOn(order: OrderRow) {
    if (!order.subscription_id) return false;
    const sub = await services.subscriptions.find(order.organization_id, order.subscription_id);
    return sub?.operation?.order_id === order.id;
  }

  function orderSummary(order: OrderRow) {
    return { id: order.id, invoice_number: order.invoice_number, total: order.total, currency: order.currency, subscription_id: order.subscription_id };
  }

  /** What the page needs to run the next action, or that there is nothing left to do. */
  async function prepare(payment: PaymentRow, order: OrderRow, confirmToken: string, parentOrigin: string) {
    const org = await services.organizations.byId(payment.organization_id);
    const prepared = await services.payments.prepareAuthentication(payment, `${config.publicUrl}/hosted/confirm-payment/return`);
    if (prepared.state.status === 'succeeded') {
      await services.orders.settleAuthentication(payment.provider_ref!);
      return { status: 'succeeded' as const, parent_origin: parentOrigin, order: orderSummary(order) };
    }
    if (prepared.state.status !== 'requires_action') throw new ApiError(409, 'nothing_to_confirm', 'This payment no longer needs your confirmation.');
    return {
      status: 'requires_action' as const,
      provider: services.payments.provider.name,
      publishable_key: config.stripe?.publishableKey ?? null,
      payment_intent_id: payment.provider_ref!,
      client_secret: prepared.clientSecret,
      confirm_token: confirmToken,
      parent_origin: parentOrigin,
      order: orderSummary(order),
      organization: { name: org.name, primary_color: brandingOf(org).primary_color },
    };
  }

  /** POST /portal/v1/payments/confirm-session {origin, order_id?}: the oldest waiting payment unless one is named. */
  const portal = portalRouter(services, config.publicUrl).post('/confirm-session', async (c) => {
    const body = await jsonBody(c, confirmSessionRequest);
    const { organization, customer } = c.get('auth');
    const origin = new URL(body.origin).origin;
    if (!isSameOrigin(c, origin, config.publicUrl) && !organization.allowed_origins.includes(origin)) {
      throw new ApiError(400, 'origin_not_allowed', `${origin} is not one of the organization's allowed origins.`);
    }
    const { order, payment } = await services.orders.awaitingConfirmation(organization.id, customer.id, body.order_id);
    const { token, expires_at } = await tokens.issue(
      'open',
      { organization_id: organization.id, customer_id: customer.id, parent_origin: origin, make_default: false, payment_id: payment.id },
      OPEN_TTL_MS,
    );
    return c.json(
      {
        url: `${config.publicUrl}/hosted/confirm-payment?token=${token}`,
        server_origin: new URL(config.publicUrl).origin,
        expires_at: expires_at.toISOString(),
        order: orderSummary(order),
      },
      201,
    );
  });

  const page = new Hono<AppEnv>()
    .get('/confirm-payment', async (c) => {
      const page = await hostedPageFor(services, config, c.req.query(), { title: 'Confirm payment', element: 'cp-hosted-confirm-payment' });
      return c.html(page.html, page.status, page.headers);
    })
    /** Where a redirect-type next action comes back to: the page in the iframe only needs to say so. */
    .get('/confirm-payment/return', (c) =>
      c.html(
        '<!doctype html><meta charset="utf-8"><title>Payment</title><p>You can close this window.</p>',
        200,
        hostedPage({ stripe: false, parentOrigin: null, title: '', primaryColor: null, body: '' }).headers,
      ),
    )
    /**
     * The page trades its open token (once) for what the next action needs and a confirm token;
     * with the confirm token it may ask again ("Try again" after a failed challenge).
     */
    .post('/v1/confirm-payment/start', async (c) => {
      const body = await jsonBody(c, confirmStartRequest);
      if (body.confirm_token) {
        const row = await tokens.find('confirm', body.confirm_token);
        if (!row?.payment_id) throw expired();
        const payment = await services.payments.findPayment(row.organization_id, row.payment_id);
        if (payment?.status !== 'requires_action') throw new ApiError(409, 'nothing_to_confirm', 'This payment no longer needs your confirmation.');
        const order = await services.orders.get(row.organization_id, payment.order_id);
        return c.json(await prepare(payment, order, body.confirm_token, row.parent_origin));
      }
      const row = body.token ? await tokens.spend('open', body.token) : undefined;
      if (!row?.payment_id) throw expired();
      const payment = await services.payments.findPayment(row.organization_id, row.payment_id);
      if (payment?.status !== 'requires_action') throw new ApiError(409, 'nothing_to_confirm', 'This payment no longer needs your confirmation.');
      const order = await services.orders.get(row.organization_id, payment.order_id);
      const confirm = await tokens.issue(
        'confirm',
        { organization_id: row.organization_id, customer_id: row.customer_id, parent_origin: row.parent_origin, make_default: false, payment_id: payment.id },
        CONFIRM_TTL_MS,
      );
      return c.json(await prepare(payment, order, confirm.token, row.parent_origin));
    })
    /**
     * After the next action ran in the page: settle the payment from the processor's state.
     * Paid → the order paid and the subscription restored (or its change applied). Not
     * confirmed → 402 with what to do: a renewal stays confirmable and dunning goes on; a change
     * or resume is undone.
     */
    .post('/v1/confirm-payment/complete', async (c) => {
      const body = await jsonBody(c, confirmCompleteRequest);
      const row = await tokens.find('confirm', body.confirm_token);
      if (!row?.payment_id) throw expired();
      const payment = await services.payments.findPayment(row.organization_id, row.payment_id);
      if (!payment?.provider_ref) throw expired();
      const order = await services.orders.get(row.organization_id, payment.order_id);
      const change = await inFlightOn(order);
      let result = await services.orders.settleAuthentication(payment.provider_ref);
      if (result.status === 'requires_action' && result.error && change)
        result = await services.orders.settleAuthentication(payment.provider_ref, { giveUp: true });
      if (result.status === 'succeeded') {
        await tokens.markUsed(row);
        const sub = order.subscription_id ? await services.subscriptions.find(order.organization_id, order.subscription_id) : undefined;
        return c.json({ status: 'succeeded', order: orderSummary(result.order), subscription: sub ? { id: sub.id, status: sub.status } : null });
      }
      if (result.status === 'unknown') throw expired();
      if (result.status === 'processing') return c.json({ status: 'processing', order: orderSummary(result.order) }, 202);
      if (result.status === 'requires_action' && !result.error) {
        throw new ApiError(402, 'authentication_incomplete', 'The payment was not confirmed yet. Finish the step your bank shows, or try again.');
      }
      const sub = order.subscription_id ? await services.subscriptions.find(order.organization_id, order.subscription_id) : undefined;
      const base = result.status === 'failed' ? result.message : (result.error?.message ?? '');
      const then = change
        ? sub?.status === 'paused'
          ? 'Your subscription is still paused.'
          : 'Your plan was not changed.'
        : sub?.next_retry_at
          ? `We will try again on ${sub.next_retry_at.toISOString().slice(0, 10)}.`
          : '';
      throw new ApiError(402, result.status === 'failed' ? 'payment_failed' : 'authentication_failed', `${base} ${then}`.trim(), {
        can_retry: result.status === 'requires_action',
      });
    });

  return { portal, page };
}
