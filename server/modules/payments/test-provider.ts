import type { Kysely } from 'kysely';
import { luhnValid } from '../../../src/schemas/card.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { randomToken } from '../../lib/crypto.js';
import { DECLINE_MESSAGES, type ChargeResult, type PaymentProvider, type PaymentState } from './provider.js';

type TestChargeRow = { ref: string; status: string; client_secret: string | null; failure_code: string | null; failure_message: string | null };

/** A stored test charge as the processor would answer it. */
function chargeResult(row: TestChargeRow): ChargeResult {
  if (row.status === 'succeeded') return { status: 'succeeded', ref: row.ref };
  if (row.status === 'requires_action')
    return {
      status: 'requires_action',
      ref: row.ref,
      clientSecret: row.client_secret!,
      code: 'authentication_required',
      message: DECLINE_MESSAGES.authentication_required!,
    };
  return { status: 'failed', ref: row.ref, code: row.failure_code ?? 'card_declined', message: row.failure_message ?? '' };
}

function chargeState(row: TestChargeRow | undefined): PaymentState {
  if (!row) return { status: 'canceled', code: 'resource_missing', message: 'Unknown payment.' };
  if (row.status === 'succeeded') return { status: 'succeeded' };
  if (row.status === 'requires_action')
    return { status: 'requires_action', error: row.failure_code ? { code: row.failure_code, message: row.failure_message ?? '' } : undefined };
  if (row.status === 'canceled') return { status: 'canceled', code: 'canceled', message: 'This payment was canceled.' };
  return { status: 'failed', code: row.failure_code ?? 'card_declined', message: row.failure_message ?? '' };
}

/**
 * Stripe's test cards, as the offline provider understands them.
 * `setup` is what happens when the card is saved; `charge` when it is charged later.
 */
export const TEST_CARDS: Record<string, { brand: string; setup: 'ok' | string; charge: 'ok' | string }> = {
  '4242424242424242': { brand: 'visa', setup: 'ok', charge: 'ok' },
  '4000056655665556': { brand: 'visa', setup: 'ok', charge: 'ok' },
  '5555555555554444': { brand: 'mastercard', setup: 'ok', charge: 'ok' },
  '378282246310005': { brand: 'amex', setup: 'ok', charge: 'ok' },
  '6011111111111117': { brand: 'discover', setup: 'ok', charge: 'ok' },
  '4000000000000002': { brand: 'visa', setup: 'card_declined', charge: 'card_declined' },
  '4000000000009995': { brand: 'visa', setup: 'insufficient_funds', charge: 'insufficient_funds' },
  '4000000000000069': { brand: 'visa', setup: 'expired_card', charge: 'expired_card' },
  '4000000000000127': { brand: 'visa', setup: 'incorrect_cvc', charge: 'incorrect_cvc' },
  '4000000000000119': { brand: 'visa', setup: 'processing_error', charge: 'processing_error' },
  // Saving succeeds; every later charge is declined (Stripe's 4000 0000 0000 0341).
  '4000000000000341': { brand: 'visa', setup: 'ok', charge: 'card_declined' },
  // 3-D Secure (Stripe's semantics). 3155 asks for authentication unless it was set up for
  // later use: saved through a SetupIntent (the hosted form stands for its authentication),
  // its off-session charges succeed. 3184 asks for authentication on every charge, however it
  // was set up: each renewal waits for the customer (`authenticate`).
  '4000002500003155': { brand: 'visa', setup: 'ok', charge: 'ok' },
  '4000002760003184': { brand: 'visa', setup: 'ok', charge: 'authenticate' },
};

export interface TestCardInput {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc: string;
}

/**
 * What a card's expiry fields can be at all: a value outside these is a malformed request
 * (400), not a declined card, and never reaches the database (whose columns are int4). Within
 * them, a month that is not 1–12 or a date in the past is declined as Stripe would (402).
 */
export const CARD_FIELD_BOUNDS = { exp_month: [0, 99], exp_year: [0, 9999] } as const;

function assertCardFields(card: TestCardInput): void {
  for (const field of ['exp_month', 'exp_year'] as const) {
    const [min, max] = CARD_FIELD_BOUNDS[field];
    const value = card[field];
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      const message = `expected a whole number from ${min} to ${max}`;
      throw new ApiError(400, 'validation_error', `${field}: ${message}`, [{ path: field, message }]);
    }
  }
}

export type TestConfirmResult = { status: 'succeeded'; payment_method: string } | { status: 'failed'; code: string; message: string };

/** The offline provider. Its "remote" records live in test_provider_* tables. */
export function testProvider(db: Kysely<DB>, clock: Clock) {
  const provider: PaymentProvider & {
    confirmSetupIntent(id: string, clientSecret: string, card: TestCardInput): Promise<TestConfirmResult>;
    charges(): Promise<Array<{ idempotency_key: string; amount: number; status: string; payment_method_ref: string }>>;
    authenticate(ref: string, clientSecret: string, outcome: 'approve' | 'fail'): Promise<PaymentState>;
  } = {
    name: 'test',
    async createCustomer() {
      return newId('tcus', clock.now().getTime());
    },
    async createSetupIntent(customerRef) {
      const id = newId('tseti', clock.now().getTime());
      const client_secret = `${id}_secret_${randomToken('s').slice(2, 26)}`;
      await db
        .insertInto('test_provider_setup_intents')
        .values({ id, client_secret, customer_ref: customerRef, status: 'requires_payment_method', created_at: clock.now() })
        .execute();
      return { id, client_secret };
    },
    /** What Stripe.js would do in the browser: the hosted page's card form posts here. */
    async confirmSetupIntent(id, clientSecret, card) {
      assertCardFields(card);
      const intent = await db.selectFrom('test_provider_setup_intents').selectAll().where('id', '=', id).executeTakeFirst();
      if (!intent || intent.client_secret !== clientSecret)
        return { status: 'failed', code: 'setup_intent_invalid', message: 'This form has expired. Close it and try again.' };
      if (intent.status === 'succeeded') return { status: 'succeeded', payment_method: intent.payment_method_ref! };
      const number = card.number.replace(/[\s-]/g, '');
      const fail = async (code: string, message: string): Promise<TestConfirmResult> => {
        await db.updateTable('test_provider_setup_intents').set({ error_code: code, error_message: message }).where('id', '=', id).execute();
        return { status: 'failed', code, message };
      };
      if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) return fail('incorrect_number', 'Your card number is invalid.');
      const now = clock.now();
      const expiry = new Date(Date.UTC(card.exp_year, card.exp_month, 1));
      if (card.exp_month < 1 || card.exp_month > 12 || expiry <= now) return fail('invalid_expiry', 'Your card’s expiration date is in the past.');
      if (!/^\d{3,4}$/.test(card.cvc)) return fail('incorrect_cvc', 'Your card’s security code is incomplete.');
      const behaviour = TEST_CARDS[number] ?? { brand: 'visa', setup: 'ok', charge: 'ok' };
      if (behaviour.setup !== 'ok') return fail(behaviour.setup, DECLINE_MESSAGES[behaviour.setup] ?? 'Your card was declined.');
      const ref = `tpm_${newId('x', now.getTime()).slice(2)}.${behaviour.charge}`;
      await db
        .updateTable('test_provider_setup_intents')
        .set({
          status: 'succeeded',
          payment_method_ref: ref,
          brand: behaviour.brand,
          last4: number.slice(-4),
          exp_month: card.exp_month,
          exp_year: card.exp_year,
          error_code: null,
          error_message: null,
        })
        .where('id', '=', id)
        .execute();
      return { status: 'succeeded', payment_method: ref };
    },
    async retrieveSetupIntent(id) {
      const intent = await db.selectFrom('test_provider_setup_intents').selectAll().where('id', '=', id).executeTakeFirst();
      if (!intent) return { status: 'canceled', customerRef: '', error: { code: 'setup_intent_invalid', message: 'Unknown setup.' } };
      if (intent.status === 'succeeded') {
        return {
          status: 'succeeded',
          customerRef: intent.customer_ref,
          method: { ref: intent.payment_method_ref!, brand: intent.brand!, last4: intent.last4!, exp_month: intent.exp_month!, exp_year: intent.exp_year! },
        };
      }
      return {
        status: 'requires_payment_method',
        customerRef: intent.customer_ref,
        ...(intent.error_code ? { error: { code: intent.error_code, message: intent.error_message ?? '' } } : {}),
      };
    },
    async charge(request): Promise<ChargeResult> {
      const existing = await db.selectFrom('test_provider_charges').selectAll().where('idempotency_key', '=', request.idempotencyKey).executeTakeFirst();
      if (existing) return chargeResult(existing);
      // The card's behaviour travels in its ref (tpm_<id>.<outcome>), as Stripe's test cards carry theirs.
      const outcome = /\.(\w+)$/.exec(request.methodRef)?.[1] ?? 'ok';
      const ref = newId('tch', clock.now().getTime());
      const authenticate = outcome === 'authenticate';
      const failed = outcome !== 'ok' && !authenticate;
      const code = failed ? outcome : null;
      const message = failed ? (DECLINE_MESSAGES[outcome] ?? 'Your card was declined.') : null;
      await db
        .insertInto('test_provider_charges')
        .values({
          idempotency_key: request.idempotencyKey,
          ref,
          customer_ref: request.customerRef,
          payment_method_ref: request.methodRef,
          amount: request.amount,
          currency: request.currency,
          status: authenticate ? 'requires_action' : failed ? 'failed' : 'succeeded',
          failure_code: code,
          failure_message: message,
          client_secret: authenticate ? `${ref}_secret_${randomToken('s').slice(2, 26)}` : null,
          created_at: clock.now(),
        })
        .onConflict((oc) => oc.column('idempotency_key').doNothing())
        .execute();
      // A concurrent call with the same key may have won the insert: answer what it stored.
      return chargeResult(
        await db.selectFrom('test_provider_charges').selectAll().where('idempotency_key', '=', request.idempotencyKey).executeTakeFirstOrThrow(),
      );
    },
    async prepareAuthentication(ref) {
      const row = await db.selectFrom('test_provider_charges').selectAll().where('ref', '=', ref).executeTakeFirst();
      return { clientSecret: row?.client_secret ?? '', state: chargeState(row) };
    },
    async retrievePayment(ref) {
      return chargeState(await db.selectFrom('test_provider_charges').selectAll().where('ref', '=', ref).executeTakeFirst());
    },
    async cancelPayment(ref) {
      await db.updateTable('test_provider_charges').set({ status: 'canceled' }).where('ref', '=', ref).where('status', '=', 'requires_action').execute();
      return provider.retrievePayment(ref);
    },
    /**
     * What the bank's challenge does when the customer answers it (Stripe.js's handleNextAction
     * in the hosted page): approve → the payment succeeds; fail → it still waits, with the error,
     * and may be tried again. Only with the payment's client secret.
     */
    async authenticate(ref, clientSecret, outcome) {
      const row = await db.selectFrom('test_provider_charges').selectAll().where('ref', '=', ref).executeTakeFirst();
      if (!row?.client_secret || row.client_secret !== clientSecret) return chargeState(undefined);
      await db
        .updateTable('test_provider_charges')
        .set(
          outcome === 'approve'
            ? { status: 'succeeded', failure_code: null, failure_message: null }
            : { failure_code: 'payment_intent_authentication_failure', failure_message: DECLINE_MESSAGES.payment_intent_authentication_failure! },
        )
        .where('ref', '=', ref)
        .where('status', '=', 'requires_action')
        .execute();
      return provider.retrievePayment(ref);
    },
    /** Like Stripe: the same idempotency key refunds once and answers the first refund again. */
    async refund(request) {
      return db.transaction().execute(async (trx) => {
        const ref = newId('tre', clock.now().getTime());
        const fresh = await trx
          .insertInto('test_provider_refunds')
          .values({ idempotency_key: request.idempotencyKey, ref, charge_ref: request.chargeRef, amount: request.amount, created_at: clock.now() })
          .onConflict((oc) => oc.column('idempotency_key').doNothing())
          .returning('ref')
          .executeTakeFirst();
        if (!fresh) {
          // Asked before (or by a concurrent call that has committed): the first answer.
          const first = await trx
            .selectFrom('test_provider_refunds')
            .selectAll()
            .where('idempotency_key', '=', request.idempotencyKey)
            .executeTakeFirstOrThrow();
          if (first.charge_ref !== request.chargeRef || Number(first.amount) !== request.amount) {
            throw new Error('test provider: idempotency key reused with other parameters');
          }
          return { ref: first.ref };
        }
        const charge = await trx.selectFrom('test_provider_charges').selectAll().where('ref', '=', request.chargeRef).forUpdate().executeTakeFirst();
        if (charge?.status !== 'succeeded') throw new Error(`test provider: no succeeded charge ${request.chargeRef}`);
        if (Number(charge.refunded_amount) + request.amount > Number(charge.amount)) throw new Error('test provider: refund exceeds charge');
        await trx
          .updateTable('test_provider_charges')
          .set((eb) => ({ refunded_amount: eb('refunded_amount', '+', request.amount) }))
          .where('ref', '=', request.chargeRef)
          .execute();
        return { ref };
      });
    },
    async detachPaymentMethod() {},
    async charges() {
      return db.selectFrom('test_provider_charges').select(['idempotency_key', 'amount', 'status', 'payment_method_ref']).orderBy('created_at').execute();
    },
  };
  return provider;
}
export type TestProvider = ReturnType<typeof testProvider>;
