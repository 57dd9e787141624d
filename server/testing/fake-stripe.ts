// A local fake of the parts of Stripe's HTTP API the `stripe` provider uses, so tests drive
// the real `stripe` SDK with no internet: customers, SetupIntents (confirmed by a helper that
// does what Stripe.js does in the browser), off-session PaymentIntents, refunds, detaching
// payment methods. Bodies are form-encoded as the SDK sends them; answers are JSON shaped like
// Stripe's objects and errors; `Idempotency-Key` replays the first answer. Cards behave as in
// the offline test provider (the same TEST_CARDS table).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { luhnValid } from '../../src/schemas/card.js';
import { minimumCharge } from '../modules/payments/minimums.js';
import { TEST_CARDS } from '../modules/payments/test-provider.js';

type Obj = Record<string, unknown>;

export interface FakeCharge {
  id: string;
  payment_intent: string;
  idempotency_key: string | null;
  customer: string;
  payment_method: string;
  amount: number;
  currency: string;
  description: string | null;
  metadata: Record<string, string>;
  status: 'succeeded' | 'failed';
  failure_code: string | null;
  amount_refunded: number;
}

export interface FakeRefund {
  id: string;
  payment_intent: string;
  charge: string;
  amount: number;
  currency: string;
  idempotency_key: string | null;
  metadata: Record<string, string>;
  created: number;
}

export interface FakeRequest {
  method: string;
  path: string;
  idempotencyKey: string | null;
  replayed: boolean;
}

/** What Stripe.js's confirmCardSetup resolves to: the intent, or the error it shows the customer. */
export type ConfirmResult =
  | { setupIntent: Obj; error?: undefined }
  | { setupIntent?: undefined; error: { type: 'card_error' | 'invalid_request_error'; code: string; decline_code?: string; message: string } };

interface StripeError {
  type: 'card_error' | 'invalid_request_error' | 'api_error';
  code?: string;
  decline_code?: string;
  message: string;
  param?: string;
  [key: string]: unknown;
}

class Failure extends Error {
  constructor(
    readonly status: number,
    readonly error: StripeError,
  ) {
    super(error.message);
  }
}

const missing = (kind: string, id: string, param?: string) =>
  new Failure(param ? 400 : 404, { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${kind}: '${id}'`, ...(param ? { param } : {}) });
const invalid = (message: string, param?: string, code?: string) =>
  new Failure(400, { type: 'invalid_request_error', message, ...(param ? { param } : {}), ...(code ? { code } : {}) });

/** Stripe's codes and messages for a behaviour from TEST_CARDS ('card_declined', 'insufficient_funds', …). */
function cardError(behaviour: string): { code: string; decline_code: string; message: string } {
  switch (behaviour) {
    case 'card_declined':
      return { code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' };
    case 'insufficient_funds':
      return { code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' };
    case 'expired_card':
      return { code: 'expired_card', decline_code: 'expired_card', message: 'Your card has expired.' };
    case 'incorrect_cvc':
      return { code: 'incorrect_cvc', decline_code: 'incorrect_cvc', message: "Your card's security code is incorrect." };
    case 'authenticate':
      return {
        code: 'authentication_required',
        decline_code: 'authentication_required',
        message: 'Your card was declined. This transaction requires authentication.',
      };
    case 'processing_error':
      return {
        code: 'processing_error',
        decline_code: 'processing_error',
        message: 'An error occurred while processing your card. Try again in a little bit.',
      };
    default:
      return { code: 'card_declined', decline_code: behaviour, message: 'Your card was declined.' };
  }
}

/** Form or query text as the SDK encodes it (`a[b][0]=v`) back into nested objects and arrays. */
export function parseStripeForm(text: string): Obj {
  const root: Obj = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.split(/[[\]]+/).filter((p) => p !== '');
    let node: Obj | unknown[] = root;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      const container = node as Record<string, unknown>;
      if (last) {
        container[part] = value;
        return;
      }
      container[part] ??= /^\d+$/.test(path[i + 1]!) ? [] : {};
      node = container[part] as Obj | unknown[];
    });
  }
  return root;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: unknown): boolean => v === 'true';
const stringMap = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' ? (Object.fromEntries(Object.entries(v as Obj).filter(([, x]) => typeof x === 'string')) as Record<string, string>) : {};

function integer(v: unknown, param: string): number {
  if (typeof v !== 'string' || !/^\d+$/.test(v)) throw invalid(`Invalid integer: ${String(v ?? '')}`, param);
  return Number(v);
}

export interface FakeStripeOptions {
  /** The secret key requests must carry (`Authorization: Bearer …`). */
  secretKey?: string;
  /** Seconds for `created` fields; tests may pass their clock. */
  now?: () => Date;
}

export async function startFakeStripe(options: FakeStripeOptions = {}) {
  const secretKey = options.secretKey ?? 'sk_test_fake';
  const now = () => Math.floor((options.now?.() ?? new Date()).getTime() / 1000);
  const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

  const customers = new Map<string, Obj>();
  const setupIntents = new Map<string, Obj>();
  const paymentMethods = new Map<string, Obj>();
  /** How a saved card behaves when charged ('ok' or a failure from TEST_CARDS). */
  const chargeBehaviour = new Map<string, string>();
  const paymentIntents = new Map<string, Obj>();
  const charges: FakeCharge[] = [];
  const refunds: FakeRefund[] = [];
  const events: Obj[] = [];
  const disputes = new Map<string, Obj>();
  const requests: FakeRequest[] = [];
  const idempotent = new Map<string, { fingerprint: string; status: number; body: unknown }>();
  const interruptions: Array<{ path: string; times: number; match: (params: Obj) => boolean }> = [];

  function emit(type: string, object: Obj) {
    events.push({
      id: id('evt'),
      object: 'event',
      type,
      api_version: '2026-01-28',
      created: now(),
      livemode: false,
      pending_webhooks: 1,
      data: { object: structuredClone(object) },
    });
  }

  function setupIntentView(intent: Obj, expand: string[]): Obj {
    const view = { ...intent };
    if (expand.includes('payment_method') && typeof intent.payment_method === 'string') view.payment_method = paymentMethods.get(intent.payment_method) ?? null;
    if (expand.includes('customer') && typeof intent.customer === 'string') view.customer = customers.get(intent.customer) ?? null;
    return view;
  }

  function customer(idValue: unknown, param = 'customer'): Obj & { id: string } {
    const ref = str(idValue);
    if (!ref) throw invalid('Missing required param: customer.', param);
    const found = customers.get(ref);
    if (!found) throw missing('customer', ref, param);
    return found as Obj & { id: string };
  }

  function chargeView(charge: FakeCharge): Obj {
    return {
      id: charge.id,
      object: 'charge',
      amount: charge.amount,
      amount_refunded: charge.amount_refunded,
      payment_intent: charge.payment_intent,
      customer: charge.customer,
      refunded: charge.amount_refunded === charge.amount,
      currency: charge.currency,
      status: charge.status,
      created: now(),
    };
  }

  const refundView = (r: FakeRefund): Obj => ({
    id: r.id,
    object: 'refund',
    amount: r.amount,
    charge: r.charge,
    payment_intent: r.payment_intent,
    currency: r.currency,
    metadata: r.metadata,
    reason: null,
    status: 'succeeded',
    created: r.created,
  });

  /** A refund of `amount` of a charge, as Stripe makes it (API or dashboard), and its charge.refunded event. */
  function makeRefund(charge: FakeCharge, amount: number, key: string | null, metadata: Record<string, string>): FakeRefund {
    charge.amount_refunded += amount;
    const refund: FakeRefund = {
      id: id('re'),
      payment_intent: charge.payment_intent,
      charge: charge.id,
      amount,
      currency: charge.currency,
      idempotency_key: key,
      metadata,
      created: now(),
    };
    refunds.push(refund);
    emit('charge.refunded', chargeView(charge));
    return refund;
  }

  function succeededCharge(piRef: string): FakeCharge {
    const charge = charges.find((ch) => ch.payment_intent === piRef && ch.status === 'succeeded');
    if (!charge) throw new Error(`fake stripe: no succeeded charge for ${piRef}`);
    return charge;
  }

  function paymentIntent(ref: string): Obj {
    const intent = paymentIntents.get(ref);
    if (!intent) throw missing('payment_intent', ref);
    return intent;
  }

  /** A PaymentIntent the customer authenticated: charged now. */
  function succeedIntent(intent: Obj): Obj {
    const charge: FakeCharge = {
      id: id('ch'),
      payment_intent: intent.id as string,
      idempotency_key: null,
      customer: intent.customer as string,
      payment_method: intent.payment_method as string,
      amount: intent.amount as number,
      currency: intent.currency as string,
      description: (intent.description as string | null) ?? null,
      metadata: (intent.metadata as Record<string, string>) ?? {},
      status: 'succeeded',
      failure_code: null,
      amount_refunded: 0,
    };
    charges.push(charge);
    Object.assign(intent, { status: 'succeeded', amount_received: intent.amount, latest_charge: charge.id, last_payment_error: null, next_action: null });
    emit('payment_intent.succeeded', intent);
    return intent;
  }

  type Handler = (params: Obj, match: RegExpExecArray, key: string | null) => unknown;
  const routes: Array<[string, RegExp, Handler]> = [
    [
      'POST',
      /^\/v1\/customers$/,
      (p) => {
        const c = {
          id: id('cus'),
          object: 'customer',
          email: str(p.email) ?? null,
          name: str(p.name) ?? null,
          metadata: stringMap(p.metadata),
          created: now(),
          livemode: false,
          invoice_settings: { default_payment_method: null },
        };
        customers.set(c.id, c);
        return c;
      },
    ],
    [
      'POST',
      /^\/v1\/setup_intents$/,
      (p) => {
        const c = customer(p.customer);
        const automatic = p.automatic_payment_methods as Obj | undefined;
        const listed = p.allowed_payment_method_types ?? p.payment_method_types;
        const types = Array.isArray(listed) ? (listed as string[]) : ['card'];
        const seti = id('seti');
        const intent: Obj = {
          id: seti,
          object: 'setup_intent',
          client_secret: `${seti}_secret_${randomBytes(12).toString('hex')}`,
          customer: c.id,
          usage: str(p.usage) ?? 'off_session',
          status: 'requires_payment_method',
          payment_method: null,
          payment_method_types: types,
          allowed_payment_method_types: types,
          automatic_payment_methods: automatic ? { enabled: bool(automatic.enabled) } : null,
          last_setup_error: null,
          metadata: stringMap(p.metadata),
          created: now(),
          livemode: false,
        };
        setupIntents.set(seti, intent);
        return intent;
      },
    ],
    [
      'GET',
      /^\/v1\/setup_intents\/([^/]+)$/,
      (p, m) => {
        const intent = setupIntents.get(m[1]!);
        if (!intent) throw missing('setup_intent', m[1]!);
        return setupIntentView(intent, Array.isArray(p.expand) ? (p.expand as string[]) : []);
      },
    ],
    [
      'POST',
      /^\/v1\/payment_intents$/,
      (p, _m, key) => {
        const c = customer(p.customer);
        const amount = integer(p.amount, 'amount');
        const currency = str(p.currency);
        if (!currency || currency !== currency.toLowerCase()) throw invalid('Invalid currency: expected a lowercase ISO code.', 'currency');
        if (amount < minimumCharge(currency))
          throw invalid(`Amount must be at least ${minimumCharge(currency)} ${currency} in minor units`, 'amount', 'amount_too_small');
        const pmRef = str(p.payment_method);
        if (!pmRef) throw invalid('Missing required param: payment_method.', 'payment_method');
        const pm = paymentMethods.get(pmRef);
        if (!pm) throw missing('payment_method', pmRef, 'payment_method');
        if (pm.customer !== c.id) {
          throw invalid(
            `The provided PaymentMethod ${pmRef} is not attached to customer ${c.id}. Attach it first.`,
            'payment_method',
            'payment_method_unexpected_state',
          );
        }
        if (!bool(p.confirm) || !bool(p.off_session)) throw invalid('This fake only supports confirm=true with off_session=true.', 'confirm');
        const behaviour = chargeBehaviour.get(pmRef) ?? 'ok';
        const pi = id('pi');
        const charge: FakeCharge = {
          id: id('ch'),
          payment_intent: pi,
          idempotency_key: key,
          customer: c.id,
          payment_method: pmRef,
          amount,
          currency,
          description: str(p.description) ?? null,
          metadata: stringMap(p.metadata),
          status: behaviour === 'ok' ? 'succeeded' : 'failed',
          failure_code: behaviour === 'ok' ? null : behaviour,
          amount_refunded: 0,
        };
        charges.push(charge);
        const error = behaviour === 'ok' ? null : { type: 'card_error', ...cardError(behaviour), charge: charge.id, payment_method: pm };
        const intent: Obj = {
          id: pi,
          object: 'payment_intent',
          amount,
          amount_received: error ? 0 : amount,
          currency,
          customer: c.id,
          payment_method: pmRef,
          description: charge.description,
          metadata: charge.metadata,
          status: error ? 'requires_payment_method' : 'succeeded',
          client_secret: `${pi}_secret_${randomBytes(12).toString('hex')}`,
          next_action: null,
          latest_charge: charge.id,
          last_payment_error: error,
          payment_method_types: ['card'],
          created: now(),
          livemode: false,
        };
        paymentIntents.set(pi, intent);
        if (!error) {
          emit('payment_intent.succeeded', intent);
          return intent;
        }
        emit('payment_intent.payment_failed', intent);
        throw new Failure(402, { ...error, payment_intent: intent } as StripeError);
      },
    ],
    [
      'POST',
      /^\/v1\/refunds$/,
      (p, _m, key) => {
        const piRef = str(p.payment_intent);
        if (!piRef) throw invalid('Missing required param: payment_intent.', 'payment_intent');
        const charge = charges.find((ch) => ch.payment_intent === piRef && ch.status === 'succeeded');
        if (!charge) throw missing('payment_intent', piRef, 'payment_intent');
        const left = charge.amount - charge.amount_refunded;
        if (left === 0) throw invalid(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded');
        const amount = p.amount === undefined ? left : integer(p.amount, 'amount');
        if (amount < 1 || amount > left) throw invalid(`Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`, 'amount');
        return refundView(makeRefund(charge, amount, key, stringMap(p.metadata)));
      },
    ],
    [
      'GET',
      /^\/v1\/refunds$/,
      (p) => {
        const piRef = str(p.payment_intent);
        const chRef = str(p.charge);
        const found = refunds.filter((r) => (!piRef || r.payment_intent === piRef) && (!chRef || r.charge === chRef));
        // Newest first, as Stripe lists.
        return { object: 'list', url: '/v1/refunds', has_more: false, data: found.toReversed().map(refundView) };
      },
    ],
    // PaymentIntents that need the customer (SCA): read, confirmed again on-session, canceled.
    ['GET', /^\/v1\/payment_intents\/([^/]+)$/, (_p, m) => paymentIntent(m[1]!)],
    [
      'POST',
      /^\/v1\/payment_intents\/([^/]+)\/confirm$/,
      (p, m) => {
        const intent = paymentIntent(m[1]!);
        if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(intent.status as string)) {
          throw invalid(
            `You cannot confirm this PaymentIntent because it has a status of ${String(intent.status)}.`,
            undefined,
            'payment_intent_unexpected_state',
          );
        }
        if (str(p.payment_method)) intent.payment_method = str(p.payment_method);
        const behaviour = chargeBehaviour.get(intent.payment_method as string) ?? 'ok';
        if (behaviour !== 'authenticate' && behaviour !== 'ok') {
          intent.status = 'requires_payment_method';
          intent.last_payment_error = { type: 'card_error', ...cardError(behaviour) };
          throw new Failure(402, { ...(intent.last_payment_error as StripeError), payment_intent: structuredClone(intent) });
        }
        // On-session, a card that asks for authentication gets its challenge (Stripe.js runs it).
        if (behaviour === 'authenticate') {
          intent.status = 'requires_action';
          intent.next_action = {
            type: 'use_stripe_sdk',
            use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: 'https://hooks.stripe.com/3d_secure_2/fake' },
          };
          intent.last_payment_error = null;
          return intent;
        }
        return succeedIntent(intent);
      },
    ],
    [
      'POST',
      /^\/v1\/payment_intents\/([^/]+)\/cancel$/,
      (_p, m) => {
        const intent = paymentIntent(m[1]!);
        if (intent.status === 'succeeded' || intent.status === 'canceled') {
          throw invalid(
            `You cannot cancel this PaymentIntent because it has a status of ${String(intent.status)}.`,
            undefined,
            'payment_intent_unexpected_state',
          );
        }
        intent.status = 'canceled';
        intent.next_action = null;
        emit('payment_intent.canceled', intent);
        return intent;
      },
    ],
    [
      'POST',
      /^\/v1\/payment_methods\/([^/]+)\/detach$/,
      (_p, m) => {
        const pm = paymentMethods.get(m[1]!);
        if (!pm) throw missing('payment_method', m[1]!);
        if (!pm.customer) {
          throw invalid(
            'The payment method you provided is not attached to a customer so detachment is impossible.',
            undefined,
            'payment_method_unexpected_state',
          );
        }
        pm.customer = null;
        emit('payment_method.detached', pm);
        return pm;
      },
    ],
  ];

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req'), ...headers });
    res.end(JSON.stringify(body));
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://fake-stripe');
    const method = req.method ?? 'GET';
    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
    const log: FakeRequest = { method, path: url.pathname, idempotencyKey: key, replayed: false };
    requests.push(log);

    if (req.headers.authorization !== `Bearer ${secretKey}`) {
      return send(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } });
    }
    const route = routes.find(([m, pattern]) => m === method && pattern.test(url.pathname));
    if (!route) {
      return send(res, 404, { error: { type: 'invalid_request_error', message: `Unrecognized request URL (${method}: ${url.pathname}).` } });
    }

    const params = parseStripeForm(method === 'GET' ? url.search.slice(1) : raw);
    const fingerprint = `${method} ${url.pathname} ${raw}`;
    const stored = method === 'POST' && key ? idempotent.get(key) : undefined;
    let status: number;
    let body: unknown;
    if (stored) {
      if (stored.fingerprint !== fingerprint) {
        return send(res, 400, {
          error: {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          },
        });
      }
      log.replayed = true;
      ({ status, body } = stored);
    } else {
      try {
        body = route[2](params, route[1].exec(url.pathname)!, key);
        status = 200;
      } catch (error) {
        if (!(error instanceof Failure)) throw error;
        status = error.status;
        body = { error: error.error };
      }
      // Like Stripe, the first answer to a POST is kept under its key and replayed.
      if (method === 'POST' && key) idempotent.set(key, { fingerprint, status, body: structuredClone(body) });
    }

    const cut = interruptions.find((i) => i.times > 0 && url.pathname.startsWith(i.path) && i.match(params));
    if (cut) {
      // The request was processed, but the answer never reaches the caller.
      cut.times -= 1;
      res.socket?.destroy();
      return;
    }
    send(res, status, body, { ...(key ? { 'idempotency-key': key } : {}), ...(log.replayed ? { 'idempotent-replayed': 'true' } : {}) });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: { type: 'api_error', message: String(error) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    secretKey,
    customers,
    setupIntents,
    paymentMethods,
    paymentIntents,
    /** Every confirmed PaymentIntent's charge, succeeded or declined, in order. */
    charges,
    refunds,
    disputes,
    /** Events Stripe would send to a webhook endpoint, oldest first (not delivered: tests post them). */
    events,
    /** Every request that reached the fake, including replays of an idempotency key. */
    requests,

    succeededCharges: (customerRef?: string) => charges.filter((c) => c.status === 'succeeded' && (!customerRef || c.customer === customerRef)),

    /**
     * What Stripe.js does in the browser when the hosted page submits the Payment Element:
     * confirms the SetupIntent with a card. Test cards behave as in TEST_CARDS.
     */
    confirmSetupIntent(setupIntentId: string, cardNumber: string, card: { exp_month?: number; exp_year?: number; cvc?: string } = {}): ConfirmResult {
      const intent = setupIntents.get(setupIntentId);
      if (!intent) return { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such setupintent: '${setupIntentId}'` } };
      if (intent.status === 'succeeded') {
        return {
          error: {
            type: 'invalid_request_error',
            code: 'setup_intent_unexpected_state',
            message: 'You cannot confirm this SetupIntent because it has already succeeded.',
          },
        };
      }
      const number = cardNumber.replace(/[\s-]/g, '');
      if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) {
        return { error: { type: 'card_error', code: 'incorrect_number', message: 'Your card number is incorrect.' } };
      }
      const behaviour = TEST_CARDS[number] ?? { brand: 'visa', setup: 'ok', charge: 'ok' };
      const pm: Obj = {
        id: id('pm'),
        object: 'payment_method',
        type: 'card',
        card: {
          brand: behaviour.brand,
          last4: number.slice(-4),
          exp_month: card.exp_month ?? 12,
          exp_year: card.exp_year ?? 2034,
          funding: 'credit',
          country: 'US',
        },
        customer: null,
        billing_details: { email: null, name: null },
        created: now(),
        livemode: false,
      };
      paymentMethods.set(pm.id as string, pm);
      if (behaviour.setup !== 'ok') {
        const error = { type: 'card_error' as const, ...cardError(behaviour.setup) };
        intent.last_setup_error = { ...error, payment_method: pm };
        intent.status = 'requires_payment_method';
        emit('setup_intent.setup_failed', intent);
        return { error };
      }
      pm.customer = intent.customer;
      chargeBehaviour.set(pm.id as string, behaviour.charge);
      intent.status = 'succeeded';
      intent.payment_method = pm.id;
      intent.last_setup_error = null;
      emit('payment_method.attached', pm);
      emit('setup_intent.succeeded', intent);
      return { setupIntent: { ...intent } };
    },

    /** The newest event of a type (optionally about one object), as Stripe would send it. */
    lastEvent(type: string, objectId?: string): Obj & { id: string; created: number } {
      const found = events.findLast((e) => e.type === type && (!objectId || ((e.data as Obj).object as Obj).id === objectId));
      if (!found) throw new Error(`fake stripe: no ${type} event${objectId ? ` for ${objectId}` : ''}`);
      return found as Obj & { id: string; created: number };
    },

    /** A refund made by the merchant in Stripe's dashboard: no metadata of ours. */
    dashboardRefund(piRef: string, amount: number): FakeRefund {
      const charge = succeededCharge(piRef);
      if (amount < 1 || amount > charge.amount - charge.amount_refunded) throw new Error('fake stripe: refund over the charge');
      return makeRefund(charge, amount, null, {});
    },

    /** The customer's bank disputes a charge (charge.dispute.created); the dispute object. */
    openDispute(piRef: string, options: { amount?: number; reason?: string } = {}): Obj & { id: string } {
      const charge = succeededCharge(piRef);
      const dispute = {
        id: id('dp'),
        object: 'dispute',
        amount: options.amount ?? charge.amount,
        currency: charge.currency,
        charge: charge.id,
        payment_intent: piRef,
        reason: options.reason ?? 'fraudulent',
        status: 'needs_response',
        is_charge_refundable: false,
        created: now(),
        livemode: false,
      };
      disputes.set(dispute.id, dispute);
      emit('charge.dispute.created', dispute);
      return dispute;
    },

    /** The dispute is decided (charge.dispute.closed). */
    closeDispute(disputeId: string, status: 'won' | 'lost') {
      const dispute = disputes.get(disputeId);
      if (!dispute) throw new Error(`fake stripe: no dispute ${disputeId}`);
      dispute.status = status;
      emit('charge.dispute.closed', dispute);
      return dispute;
    },

    /** The card network updates a saved card (new expiry or number): payment_method.automatically_updated, or .updated. */
    updateCard(pmRef: string, card: { exp_month?: number; exp_year?: number; last4?: string }, automatic = true) {
      const pm = paymentMethods.get(pmRef);
      if (!pm) throw new Error(`fake stripe: no payment method ${pmRef}`);
      pm.card = { ...(pm.card as Obj), ...card };
      emit(automatic ? 'payment_method.automatically_updated' : 'payment_method.updated', pm);
      return pm;
    },

    /** The merchant removes a card in Stripe's dashboard (payment_method.detached). */
    detachInDashboard(pmRef: string) {
      const pm = paymentMethods.get(pmRef);
      if (!pm) throw new Error(`fake stripe: no payment method ${pmRef}`);
      pm.customer = null;
      emit('payment_method.detached', pm);
      return pm;
    },

    /** The merchant deletes the customer in Stripe (customer.deleted): its cards are detached. */
    deleteCustomer(customerRef: string) {
      const c = customers.get(customerRef);
      if (!c) throw new Error(`fake stripe: no customer ${customerRef}`);
      for (const pm of paymentMethods.values()) if (pm.customer === customerRef) pm.customer = null;
      customers.delete(customerRef);
      emit('customer.deleted', { ...c, deleted: true });
      return c;
    },

    /** A PaymentIntent's asynchronous result (a payment still processing, or confirmed later): its event. */
    finishPaymentIntent(piRef: string, status: 'succeeded' | 'failed') {
      const intent = paymentIntents.get(piRef);
      if (!intent) throw new Error(`fake stripe: no payment intent ${piRef}`);
      const charge = charges.find((ch) => ch.payment_intent === piRef);
      if (status === 'succeeded') {
        intent.status = 'succeeded';
        intent.amount_received = intent.amount;
        intent.last_payment_error = null;
        if (charge) {
          charge.status = 'succeeded';
          charge.failure_code = null;
        }
        emit('payment_intent.succeeded', intent);
      } else {
        intent.status = 'requires_payment_method';
        intent.last_payment_error = { type: 'card_error', ...cardError('card_declined') };
        if (charge) {
          charge.status = 'failed';
          charge.failure_code = 'card_declined';
        }
        emit('payment_intent.payment_failed', intent);
      }
      return intent;
    },

    /**
     * What Stripe.js's handleNextAction does in the hosted page for a PaymentIntent waiting in
     * requires_action: the customer passes the bank's challenge (it succeeds) or fails it (it
     * goes back to requires_payment_method with payment_intent_authentication_failure).
     */
    handleNextAction(paymentIntentId: string, outcome: 'approve' | 'fail'): { paymentIntent: Obj; error?: { code: string; message: string } } {
      const intent = paymentIntents.get(paymentIntentId);
      if (intent?.status !== 'requires_action') {
        return { paymentIntent: intent ?? {}, error: { code: 'payment_intent_unexpected_state', message: 'This PaymentIntent has no next action.' } };
      }
      if (outcome === 'approve') return { paymentIntent: structuredClone(succeedIntent(intent)) };
      const error = {
        type: 'card_error',
        code: 'payment_intent_authentication_failure',
        message: 'We are unable to authenticate your payment method. Please choose a different payment method and try again.',
      };
      Object.assign(intent, { status: 'requires_payment_method', next_action: null, last_payment_error: error });
      emit('payment_intent.payment_failed', intent);
      return { paymentIntent: structuredClone(intent), error };
    },

    /**
     * The next `times` requests under `path` (whose parameters `match`) are processed, then
     * the connection drops before the answer: what a network failure after Stripe acted looks like.
     */
    interrupt(path: string, times = 1, match: (params: Obj) => boolean = () => true) {
      interruptions.push({ path, times, match });
    },

    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>;
