// Orders, composed from their parts (each file has one reason to change):
//   context.ts    dependencies, the caller's transaction
//   draft.ts      what an order is made of before it is recorded (pure)
//   service.ts    pricing a draft, recording, paying and voiding orders, one-time purchases, reads
//   refunds.ts    refunds to the card or the wallet, and settling them
//   documents.ts  the invoice and receipt documents;  pdf.ts  their PDFs (pdf-canvas.ts, pdf-text.ts)
//   notices.ts    the customer emails;  views.ts  what the portal, the merchant and webhooks see
import type { Kysely } from 'kysely';
import type { BillingReason, CustomerRow, DB, OrderRow, Organization } from '../../db/schema.js';
import { assertVatMatchesCountry } from '../billing/tax-id.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { resolveBillingSettings } from '../billing/settings.js';
import { percentOf } from '../billing/money.js';
import { decideTax, taxAmount } from '../billing/tax.js';
import { mergeBillingDetails } from '../customers/service.js';
import { minimumCharge } from '../payments/minimums.js';
import { walletRepository } from '../wallet/repository.js';
import { creditWallet, inTransaction, type OrderDeps } from './context.js';
import { invoiceDocument, receiptDocument } from './documents.js';
import { orderNotices } from './notices.js';
import { renderInvoicePdf, renderReceiptPdf } from './pdf.js';
import { refundService } from './refunds.js';
import { settlementService } from './settlement.js';
import { orderRepository, ordersWithLinesFromJson } from './repository.js';
import { orderEventData, orderView } from './views.js';

export { CANCEL_REFUND_REASON } from './refunds.js';
export { billingSnapshot, withCarried, withWalletCredit, type BillingDetailsSnapshot, type CarriedBalance, type DraftItem, type OrderDraft } from './draft.js';
import { billingSnapshot, withCarried, withWalletCredit, type CarriedBalance, type DraftItem, type OrderDraft } from './draft.js';

export function orderService(deps: OrderDeps) {
  const { db, clock } = deps;
  const repo = orderRepository(db);
  const notices = orderNotices(deps);

  /** An order with its lines, refunds and the card it was paid with. */
  async function detail(order: OrderRow) {
    const [lines, refunds] = await Promise.all([repo.lines([order.id]), repo.refunds([order.id])]);
    const method = order.payment_method_id ? await deps.payments.findMethodById(order.payment_method_id) : undefined;
    return { order, lines, refunds, method };
  }

  /** The order paid, in one transaction with its order.paid event: only the call that moves it emits. */
  async function markPaid(order: OrderRow, paymentMethodId: string | null, now: Date) {
    await db.transaction().execute(async (trx) => {
      const ok = await orderRepository(trx).transition(
        order.id,
        ['pending', 'failed', 'requires_action'],
        { status: 'paid', paid_at: now, failure_message: null, payment_method_id: paymentMethodId },
        now,
      );
      if (ok) await deps.webhooks.emit(trx, order.organization_id, 'order.paid', orderEventData({ ...order, status: 'paid', paid_at: now }));
    });
  }

  const settlement = settlementService(deps);

  return {
    ...refundService(deps),
    ...settlement,

    /**
     * Prices a set of items for a customer: discount, then tax on what remains, then wallet
     * credit against the total. Pure but for reading the wallet balance; previews and real
     * orders use the same function, so a preview is exactly what gets charged.
     */
    async draft(
      input: {
        org: Organization;
        customer: CustomerRow;
        currency: string;
        items: DraftItem[];
        discountPercent?: number | null;
        useWallet: boolean;
        discountLabel?: string;
        walletBalance?: number;
        /** The subscription the invoice is for: its carried balances are added (see withCarried). */
        subscriptionId?: string | null;
        /** Those carried balances when the caller read them already (the portal's previews, read for every subscription at once). */
        carried?: CarriedBalance[];
      },
      x: Kysely<DB> = db,
    ): Promise<OrderDraft> {
      const settings = resolveBillingSettings(input.org.billing_settings);
      const snapshot = billingSnapshot(input.customer);
      const subtotal = input.items.reduce((sum, i) => sum + i.amount, 0);
      const lines: OrderDraft['lines'] = [...input.items];
      const discount = input.discountPercent && subtotal > 0 ? percentOf(subtotal, input.discountPercent) : 0;
      if (discount)
        lines.push({
          kind: 'discount',
          description: input.discountLabel ?? `Discount (${input.discountPercent}% off)`,
          quantity: 1,
          unit_amount: -discount,
          amount: -discount,
        });
      const decision = decideTax(settings, { country: snapshot.address.country ?? null, tax_id: snapshot.tax_id });
      const tax = taxAmount(subtotal - discount, decision);
      if (tax) lines.push({ kind: 'tax', description: decision.label!, quantity: 1, unit_amount: tax, amount: tax });
      const due = subtotal - discount + tax;
      let draft: OrderDraft = {
        currency: input.currency,
        lines,
        subtotal,
        discount_amount: discount,
        tax_amount: tax,
        tax_label: decision.label,
        tax_note: decision.note,
        credit_amount: 0,
        total: due,
        useWallet: input.useWallet,
      };
      if (input.subscriptionId) draft = withCarried(draft, input.carried ?? (await orderRepository(x).openCarried(input.org.id, input.subscriptionId)));
      if (!input.useWallet || draft.total <= 0) return draft;
      const balance = input.walletBalance ?? (await walletRepository(x).balance(input.org.id, input.customer.id, input.currency, clock.now()));
      return withWalletCredit(draft, balance);
    },

    /**
     * Records a drafted order with the next invoice number, in the caller's transaction `x`
     * (or one of its own). With a dedupe key, a second call (a job that crashed and ran
     * again) returns the order the first call made. Wallet credit is read again under the
     * customer's wallet lock and spent in the same transaction, so two orders never spend
     * the same credit.
     */
    async create(
      x: Kysely<DB>,
      org: Organization,
      customer: CustomerRow,
      proposed: OrderDraft,
      meta: { subscriptionId: string | null; reason: BillingReason; dedupeKey: string | null; periodStart?: Date | null; periodEnd?: Date | null },
    ): Promise<{ order: OrderRow; created: boolean }> {
      const settings = resolveBillingSettings(org.billing_settings);
      const now = clock.now();
      return inTransaction(x, async (trx) => {
        if (meta.dedupeKey) {
          const existing = await orderRepository(trx).findByDedupe(org.id, meta.dedupeKey);
          if (existing) return { order: existing, created: false };
        }
        let draft = proposed;
        // The subscription's carried balances, locked: exactly one order bills each.
        const carried = meta.subscriptionId ? await orderRepository(trx).openCarried(org.id, meta.subscriptionId, true) : [];
        if (meta.subscriptionId) draft = withCarried(draft, carried);
        if (draft.useWallet) {
          const wallet = walletRepository(trx);
          await wallet.lock(org.id, customer.id);
          draft = withWalletCredit(draft, await wallet.balance(org.id, customer.id, draft.currency, now));
        }
        if (draft.total < 0) throw new Error('an order cannot have a negative total');
        const trxRepo = orderRepository(trx);
        const number = await trxRepo.nextInvoiceNumber(org.id);
        const id = newId('ord', now.getTime());
        const free = draft.total === 0;
        const row = await trxRepo.insertOrder({
          id,
          organization_id: org.id,
          customer_id: customer.id,
          subscription_id: meta.subscriptionId,
          invoice_number: `${settings.invoice_prefix}-${String(number).padStart(4, '0')}`,
          billing_reason: meta.reason,
          status: free ? 'paid' : 'pending',
          currency: draft.currency,
          subtotal: draft.subtotal,
          discount_amount: draft.discount_amount,
          tax_amount: draft.tax_amount,
          credit_amount: draft.credit_amount,
          total: draft.total,
          tax_note: draft.tax_note,
          billing_details: billingSnapshot(customer),
          payment_method_id: null,
          paid_at: free ? now : null,
          failure_message: null,
          dedupe_key: meta.dedupeKey,
          period_start: meta.periodStart ?? null,
          period_end: meta.periodEnd ?? null,
          created_at: now,
          updated_at: now,
        });
        await trxRepo.markCarried(
          carried.filter((c) => c.currency === draft.currency).map((c) => c.id),
          id,
          now,
        );
        await trxRepo.insertLines(
          draft.lines.map((l, position) => ({
            id: newId('line', now.getTime()),
            order_id: id,
            position,
            kind: l.kind,
            description: l.description,
            quantity: l.quantity,
            unit_amount: l.unit_amount,
            amount: l.amount,
            period_start: ('period_start' in l ? l.period_start : null) ?? null,
            period_end: ('period_end' in l ? l.period_end : null) ?? null,
            price_id: ('price_id' in l ? l.price_id : null) ?? null,
          })),
        );
        if (draft.credit_amount > 0) {
          await walletRepository(trx).consume({
            organization_id: org.id,
            customer_id: customer.id,
            currency: draft.currency,
            amount: draft.credit_amount,
            description: `Applied to invoice ${row.invoice_number}`,
            order_id: id,
            now,
          });
        }
        await deps.webhooks.emit(trx, org.id, 'order.created', orderEventData(row));
        if (free) await deps.webhooks.emit(trx, org.id, 'order.paid', orderEventData(row));
        return { order: row, created: true };
      });
    },

    /**
     * Charges a pending or failed order. Returns the outcome; the order's status follows it:
     * paid, failed, or requires_action when the card's bank wants the customer to authenticate
     * the charge (`paymentId` waits for them; settleAuthentication finishes it).
     */
    async pay(order: OrderRow, customer: CustomerRow, description: string) {
      if (order.status === 'paid' || order.status === 'carried_forward') return { status: 'succeeded' as const, order };
      if (order.subscription_id && order.total > 0 && order.total < minimumCharge(order.currency)) {
        // Under the processor's minimum: not charged, but carried to the subscription's next
        // invoice (withCarried), as Stripe does. For the subscription it counts as settled.
        const now = clock.now();
        await db.transaction().execute(async (trx) => {
          const moved = await orderRepository(trx).transition(order.id, ['pending', 'failed'], { status: 'carried_forward', failure_message: null }, now);
          if (moved) await deps.webhooks.emit(trx, order.organization_id, 'order.carried_forward', orderEventData({ ...order, status: 'carried_forward' }));
        });
        return { status: 'succeeded' as const, order: (await repo.find(order.organization_id, order.id))! };
      }
      const outcome = await deps.payments.chargeOrder(order, customer, description);
      const now = clock.now();
      if (outcome.status === 'succeeded') {
        await markPaid(order, outcome.paymentMethodId, now);
        return { status: 'succeeded' as const, order: (await repo.find(order.organization_id, order.id))! };
      }
      if (outcome.status === 'requires_action') {
        await repo.transition(
          order.id,
          ['pending', 'failed', 'requires_action'],
          { status: 'requires_action', failure_message: outcome.message, payment_method_id: outcome.paymentMethodId },
          now,
        );
        return {
          status: 'requires_action' as const,
          code: outcome.code,
          message: outcome.message,
          paymentId: outcome.paymentId,
          order: (await repo.find(order.organization_id, order.id))!,
        };
      }
      await repo.transition(
        order.id,
        ['pending', 'failed', 'requires_action'],
        { status: 'failed', failure_message: outcome.message, payment_method_id: outcome.paymentMethodId },
        now,
      );
      return { status: 'failed' as const, code: outcome.code, message: outcome.message, order: (await repo.find(order.organization_id, order.id))! };
    },

    /**
     * Settles a payment that waited for the customer's authentication, by its processor ref (the
     * PaymentIntent id): the one function the hosted confirm page and Stripe's
     * payment_intent.succeeded / payment_failed events both call. Reads the PaymentIntent back
     * from the processor (never trusts the caller), then: succeeded → the order paid (order.paid
     * once, by whoever moved it) and the subscription restored; declined → the order failed.
     * `giveUp` (a change the customer could not confirm): a PaymentIntent still waiting is
     * canceled and the order failed. Idempotent and safe to run simultaneously: the payment and
     * the order move only from the state before, so a second call settles nothing twice.
     */
    async settleAuthentication(ref: string, options: { giveUp?: boolean } = {}) {
      const payment = await deps.payments.findPaymentByRef(ref);
      if (!payment) return { status: 'unknown' as const };
      const result = await deps.payments.resolveAuthentication(payment, options);
      const now = clock.now();
      let order = (await repo.find(payment.organization_id, payment.order_id))!;
      if (result.status === 'succeeded') {
        // The same settle as Stripe's payment_intent.succeeded: one place moves the order to paid.
        await settlement.settlePaymentIntent(db, { ref, status: 'succeeded', orderId: order.id });
      } else if (result.status === 'failed') {
        // Only the order's open attempt decides it (an older attempt superseded by a new card does not).
        const open = await deps.payments.awaitingPayment(order.id);
        if (!open) await repo.transition(order.id, ['requires_action'], { status: 'failed', failure_message: result.message }, now);
      } else if (result.error) {
        await repo.transition(order.id, ['requires_action'], { status: 'requires_action', failure_message: result.error.message }, now);
      }
      order = (await repo.find(payment.organization_id, payment.order_id))!;
      if (result.status === 'succeeded' || result.status === 'failed') await deps.onAuthenticationSettled?.(order, result.status);
      return { ...result, order };
    },
    /** A change the customer asked for could not be paid: the order is void and its credit returned. */
    async voidOrder(order: OrderRow, x: Kysely<DB> = db) {
      const now = clock.now();
      await inTransaction(x, async (trx) => {
        const voided = await orderRepository(trx).transition(order.id, ['pending', 'failed', 'requires_action'], { status: 'void' }, now);
        if (voided && order.credit_amount > 0) {
          await creditWallet(trx, order, order.credit_amount, 'adjustment', `Returned from void invoice ${order.invoice_number}`, now);
        }
      });
    },

    /**
     * A one-time purchase charged to the customer's default card: an order with one line per
     * one-time price. The order stays (failed) when the card is declined, so the merchant sees it.
     */
    async purchase(
      org: Organization,
      customerId: string,
      items: Array<{ price_id: string; quantity: number }>,
      services: {
        customers: { get(org: string, ref: { id: string }): Promise<CustomerRow> };
        catalog: {
          price(org: string, id: string): Promise<{ id: string; product_id: string; type: string; currency: string; unit_amount: number }>;
          product(org: string, id: string): Promise<{ product: { name: string } }>;
        };
      },
    ) {
      const customer = await services.customers.get(org.id, { id: customerId });
      const lines: DraftItem[] = [];
      let currency: string | null = null;
      for (const item of items) {
        const price = await services.catalog.price(org.id, item.price_id);
        if (price.type !== 'one_time') throw new ApiError(400, 'price_not_one_time', `Price ${price.id} is recurring; create a subscription for it instead.`);
        if (currency && price.currency !== currency) throw new ApiError(400, 'currency_mismatch', 'All items of an order must be in one currency.');
        currency = price.currency;
        const { product } = await services.catalog.product(org.id, price.product_id);
        lines.push({
          kind: 'one_time',
          description: product.name,
          quantity: item.quantity,
          unit_amount: price.unit_amount,
          amount: price.unit_amount * item.quantity,
          price_id: price.id,
        });
      }
      const draft = await this.draft({ org, customer, currency: currency!, items: lines, useWallet: true });
      const minimum = minimumCharge(draft.currency);
      if (draft.total > 0 && draft.total < minimum) {
        // A one-time purchase has no next invoice to carry the amount to.
        throw new ApiError(
          400,
          'amount_below_minimum',
          `The total is under the payment processor's minimum charge (${minimum} in the currency's minor units); add items or use wallet credit.`,
        );
      }
      const { order } = await this.create(db, org, customer, draft, { subscriptionId: null, reason: 'purchase', dedupeKey: null });
      const paid = await this.pay(order, customer, `${org.name} · ${order.invoice_number}`);
      if (paid.status === 'succeeded') notices.purchasePaid(org, customer, paid.order);
      if (paid.status === 'succeeded') await deps.onEntitlementsChanged?.(org.id, customer.id);
      // The bank wants the customer: they confirm it from the portal (the email links there).
      if (paid.status === 'requires_action') notices.confirmPayment(org, customer, paid.order, org.name);
      return {
        order: paid.order,
        payment: paid.status === 'succeeded' ? { status: 'succeeded' as const } : { status: paid.status, code: paid.code, message: paid.message },
      };
    },

    /** New name, company, address or tax id on an invoice (merged into what it has); the PDF is drawn from them on each download. */
    updateInvoiceDetails(order: OrderRow, patch: Parameters<typeof mergeBillingDetails>[1]) {
      const details = mergeBillingDetails(order.billing_details, patch);
      assertVatMatchesCountry(details);
      return repo.setBillingDetails(order.id, details, clock.now());
    },

    detail,
    notices,
    /** The order's payment waiting for the customer's authentication, if any. */
    awaitingPayment: (orderId: string) => deps.payments.awaitingPayment(orderId),

    /**
     * The customer's order whose payment waits for them (`orderId`, or the oldest) with that
     * payment; 404 when there is none (already confirmed, or another customer's).
     */
    async awaitingConfirmation(organizationId: string, customerId: string, orderId?: string) {
      const waiting = await repo.awaitingForCustomer(organizationId, customerId);
      const order = orderId ? waiting.find((o) => o.id === orderId) : waiting[0];
      const payment = order ? await deps.payments.awaitingPayment(order.id) : undefined;
      if (!order || !payment?.provider_ref) throw new ApiError(404, 'nothing_to_confirm', 'There is no payment waiting for your confirmation.');
      return { order, payment };
    },

    // ── Reads ──
    /** An order by id, or null (for the engine; routes use `get` / `ownOrder`). */
    find: (organizationId: string, id: string) => repo.find(organizationId, id),
    /** The subscription's newest failed order, the one a retry charges again. */
    latestFailedForSubscription: (subscriptionId: string) => repo.latestFailedForSubscription(subscriptionId),
    /** A customer's own order; 404 for anyone else's. */
    async ownOrder(organizationId: string, customerId: string, id: string) {
      const order = await repo.findForCustomer(organizationId, customerId, id);
      if (!order) throw new ApiError(404, 'order_not_found', 'This order was not found.');
      return order;
    },

    /** An order of the merchant's. */
    async get(organizationId: string, id: string) {
      const order = await repo.find(organizationId, id);
      if (!order) throw new ApiError(404, 'order_not_found', 'No such order.');
      return order;
    },

    list: (organizationId: string, opts: { customerId?: string; subscriptionId?: string; limit: number; startingAfter?: string }) =>
      repo.list(organizationId, opts),

    /** A customer's newest orders with their lines (one over `limit`), for a statement of lists; viewsFromJson reads them. */
    recentWithLinesQuery: (organizationId: string, customerId: string, limit: number) => repo.recentWithLinesQuery(organizationId, customerId, limit),
    /** Orders as the portal lists them, from recentWithLinesQuery's JSON list. */
    viewsFromJson: (rows: unknown) => ordersWithLinesFromJson(rows).map(({ order, lines }) => orderView(order, lines)),

    /** Orders as the portal lists them: each with its lines (one query for all). */
    async viewsWithLines(orders: OrderRow[]) {
      const lines = await repo.lines(orders.map((o) => o.id));
      return orders.map((o) =>
        orderView(
          o,
          lines.filter((l) => l.order_id === o.id),
        ),
      );
    },

    /** The invoice PDF of an order, in `locale` (the customer's: customerLocale(org, customer)). */
    async invoicePdf(org: Organization, order: OrderRow, locale: string) {
      const d = await detail(order);
      return renderInvoicePdf(invoiceDocument(org, order, d.lines, locale));
    },

    /** The receipt PDF of a paid order, in `locale`; none before it is paid. */
    async receiptPdf(org: Organization, order: OrderRow, locale: string) {
      if (!order.paid_at || !['paid', 'refunded', 'partially_refunded'].includes(order.status)) {
        throw new ApiError(409, 'order_not_paid', 'A receipt is available once the order is paid.');
      }
      const d = await detail(order);
      return renderReceiptPdf(receiptDocument(org, order, d.lines, d.refunds, d.method ?? null, locale));
    },
  };
}
export type OrderService = ReturnType<typeof orderService>;
