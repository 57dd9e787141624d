import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';

const USAGE_EVENTS_LIMIT = 10_000;

/**
 * Everything stored about one customer, for "download my data": profile, billing details,
 * subscriptions, orders with lines and refunds, payment methods (brand and last 4 only),
 * wallet ledger, benefit grants (without keys), seats, and the most recent usage events.
 * Every query is scoped by organization and customer.
 */
async function exportCustomerData(db: Kysely<DB>, organizationId: string, customerId: string, now: Date) {
  const scoped = <T extends 'subscriptions' | 'orders' | 'wallet_transactions' | 'payment_methods'>(table: T) =>
    db
      .selectFrom(table as 'orders')
      .where('organization_id', '=', organizationId)
      .where('customer_id', '=', customerId);
  const customer = await db
    .selectFrom('customers')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('id', '=', customerId)
    .executeTakeFirstOrThrow();
  const [subscriptions, orders, wallet, methods] = await Promise.all([
    db.selectFrom('subscriptions').selectAll().where('organization_id', '=', organizationId).where('customer_id', '=', customerId).orderBy('id').execute(),
    scoped('orders').selectAll().orderBy('id').execute(),
    db
      .selectFrom('wallet_transactions')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('customer_id', '=', customerId)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('payment_methods')
      .select(['id', 'brand', 'last4', 'exp_month', 'exp_year', 'is_default', 'created_at', 'detached_at'])
      .where('organization_id', '=', organizationId)
      .where('customer_id', '=', customerId)
      .orderBy('id')
      .execute(),
  ]);
  const orderIds = orders.map((o) => o.id);
  const [lines, refunds, grants, seats, events] = await Promise.all([
    orderIds.length ? db.selectFrom('order_lines').selectAll().where('order_id', 'in', orderIds).orderBy('order_id').orderBy('position').execute() : [],
    orderIds.length ? db.selectFrom('refunds').selectAll().where('order_id', 'in', orderIds).orderBy('id').execute() : [],
    db
      .selectFrom('benefit_grants')
      .innerJoin('benefits', 'benefits.id', 'benefit_grants.benefit_id')
      .select(['benefit_grants.id', 'benefits.type', 'benefits.description', 'benefit_grants.granted_at', 'benefit_grants.revoked_at'])
      .where('benefit_grants.organization_id', '=', organizationId)
      .where('benefit_grants.customer_id', '=', customerId)
      .orderBy('benefit_grants.id')
      .execute(),
    db
      .selectFrom('customer_seats')
      .select(['id', 'subscription_id', 'email', 'status', 'invited_at', 'claimed_at', 'revoked_at'])
      .where('organization_id', '=', organizationId)
      .where((eb) => eb.or([eb('customer_id', '=', customerId), eb('subscription_id', 'in', subscriptions.length ? subscriptions.map((s) => s.id) : [''])]))
      .orderBy('id')
      .execute(),
    db
      .selectFrom('usage_events')
      .select(['event_id', 'name', 'properties', 'occurred_at'])
      .where('organization_id', '=', organizationId)
      .where('customer_id', '=', customerId)
      .orderBy('occurred_at', 'desc')
      .limit(USAGE_EVENTS_LIMIT)
      .execute(),
  ]);

  return {
    exported_at: now.toISOString(),
    customer: {
      id: customer.id,
      email: customer.email,
      name: customer.name,
      external_id: customer.external_id,
      locale: customer.locale,
      billing_details: customer.billing_details,
      metadata: customer.metadata,
      created_at: customer.created_at,
    },
    subscriptions: subscriptions.map(({ locked_until: _l, ...s }) => s),
    orders: orders.map((o) => ({ ...o, lines: lines.filter((l) => l.order_id === o.id), refunds: refunds.filter((r) => r.order_id === o.id) })),
    payment_methods: methods,
    wallet_transactions: wallet,
    benefit_grants: grants,
    seats,
    usage_events: { note: events.length === USAGE_EVENTS_LIMIT ? `the ${USAGE_EVENTS_LIMIT} most recent events` : 'all events', events },
  };
}

/** "Download my data" as a service: the customer's data as of now. */
export function customerDataExport(db: Kysely<DB>, clock: Clock) {
  return {
    forCustomer: (organizationId: string, customerId: string) => exportCustomerData(db, organizationId, customerId, clock.now()),
  };
}
