import type { Kysely } from 'kysely';
import type { BillingReason, CustomerRow, DB, OrderLineKind, OrderLineRow, OrderRow, Organization, RefundRow } from '../../db/schema.js';
import type { Background } from '../../lib/background.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { ApiError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { resolveBillingSettings } from '../billing/settings.js';
import { percentOf } from '../billing/money.js';
import { decideTax, taxAmount } from '../billing/tax.js';
import type { PaymentService } from '../payments/service.js';
import { walletRepository } from '../wallet/repository.js';
import type { WebhookService } from '../webhooks/service.js';
import type { DocumentParty, InvoiceDocument, ReceiptDocument } from './documents.js';
import { orderRepository } from './repository.js';

export interface DraftItem {
  kind: Exclude<OrderLineKind, 'discount' | 'tax' | 'credit'>;
  description: string;
  quantity: number;
  unit_amount: number;
  amount: number;
  period_start?: Date | null;
  period_end?: Date | null;
  /** The price bought (one-time purchases), so a paid order grants its product's benefits. */
  price_id?: string | null;
}

export interface OrderDraft {
  currency: string;
  lines: Array<DraftItem | { kind: 'discount' | 'tax' | 'credit'; description: string; quantity: number; unit_amount: number; amount: number }>;
  subtotal: number;
  discount_amount: number;
  tax_amount: number;
  tax_label: string | null;
  tax_note: string | null;
  credit_amount: number;
  total: number;
  /** Credit from the wallet is applied: read again (under the wallet's lock) when the order is recorded. */
  useWallet: boolean;
}

const CREDIT_LINE = 'Credit from your wallet';
/** The reason written on the refunds an immediate cancellation makes. */
export const CANCEL_REFUND_REASON = 'Unused time after cancellation';

/** The processor said no (a 4xx, or the test provider's refusal), as opposed to not answering. */
function isRefusal(error: unknown): boolean {
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number') return status >= 400 && status < 500;
  return error instanceof Error && error.message.startsWith('test provider:');
}

/** The draft with the wallet credit for `balance`: as much of what is due as the balance covers. */
export function withWalletCredit(draft: OrderDraft, balance: number): OrderDraft {
  const due = draft.total + draft.credit_amount;
  const credit = draft.useWallet && due > 0 ? Math.max(0, Math.min(balance, due)) : 0;
  const lines = draft.lines.filter((l) => l.kind !== 'credit');
  if (credit) lines.push({ kind: 'credit', description: CREDIT_LINE, quantity: 1, unit_amount: -credit, amount: -credit });
  return { ...draft, lines, credit_amount: credit, total: due - credit };
}

/** Runs `work` in the caller's transaction when `x` is one, else in a transaction of its own. */
export function inTransaction<T>(x: Kysely<DB>, work: (trx: Kysely<DB>) => Promise<T>): Promise<T> {
  return x.isTransaction ? work(x) : x.transaction().execute(work);
}

export interface BillingDetailsSnapshot {
  name: string | null;
  company: string | null;
  email: string | null;
  address: { line1?: string | null; line2?: string | null; city?: string | null; state?: string | null; postal_code?: string | null; country?: string | null };
  tax_id: string | null;
}

export function billingSnapshot(customer: CustomerRow): BillingDetailsSnapshot {
  const b = customer.billing_details as Partial<BillingDetailsSnapshot>;
  return {
    name: b.name ?? customer.name,
    company: b.company ?? null,
    email: b.email ?? customer.email,
    address: b.address ?? {},
    tax_id: b.tax_id ?? null,
  };
}

interface Deps {
  db: Kysely<DB>;
  clock: Clock;
  payments: PaymentService;
  webhooks: WebhookService;
  background: Background;
  /** Sends the order confirmation email. */
  onPurchasePaid?: (org: Organization, customer: CustomerRow, order: OrderRow) => void;
  /** Benefits follow orders: called after a purchase is paid or an order refunded (benefits.syncCustomer). */
  onEntitlementsChanged?: (organizationId: string, customerId: string) => Promise<void>;
  logger?: Logger;
}

export function orderService(deps: Deps) {
  const { db, clock } = deps;
  const repo = orderRepository(db);

  return {
    repo,

    /**
     * Prices a set of items for a customer: discount, then tax on what remains, then wallet
     * credit against the total. Pure but for reading the wallet balance; previews and real
     * orders use the same function, so a preview is exactly what gets charged.
     */
    async draft(
      input: { org: Organization; customer: CustomerRow; currency: string; items: DraftItem[]; discountPercent?: number | null; useWallet: boolean; discountLabel?: string; walletBalance?: number },
      x: Kysely<DB> = db,
    ): Promise<OrderDraft> {
      const settings = resolveBillingSettings(input.org.billing_settings);
      const snapshot = billingSnapshot(input.customer);
      const subtotal = input.items.reduce((sum, i) => sum + i.amount, 0);
      const lines: OrderDraft['lines'] = [...input.items];
      const discount = input.discountPercent && subtotal > 0 ? percentOf(subtotal, input.discountPercent) : 0;
      if (discount) lines.push({ kind: 'discount', description: input.discountLabel ?? `Discount (${input.discountPercent}% off)`, quantity: 1, unit_amount: -discount, amount: -discount });
      const decision = decideTax(settings, { country: snapshot.address.country ?? null, tax_id: snapshot.tax_id });
      const tax = taxAmount(subtotal - discount, decision);
      if (tax) lines.push({ kind: 'tax', description: decision.label!, quantity: 1, unit_amount: tax, amount: tax });
      const due = subtotal - discount + tax;
      const draft: OrderDraft = {
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
      if (!input.useWallet || due <= 0) return draft;
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

    /** Charges a pending or failed order. Returns the outcome; the order's status follows it. */
    async pay(order: OrderRow, customer: CustomerRow, description: string) {
      if (order.status === 'paid') return { status: 'succeeded' as const, order };
      const outcome = await deps.payments.chargeOrder(order, customer, description);
      const now = clock.now();
      if (outcome.status === 'succeeded') {
        // Only the worker that moves the order emits order.paid (a retried charge finds it paid).
        await db.transaction().execute(async (trx) => {
          const ok = await orderRepository(trx).transition(order.id, ['pending', 'failed'], { status: 'paid', paid_at: now, failure_message: null, payment_method_id: outcome.paymentMethodId }, now);
          if (ok) await deps.webhooks.emit(trx, order.organization_id, 'order.paid', orderEventData({ ...order, status: 'paid', paid_at: now }));
        });
        return { status: 'succeeded' as const, order: (await repo.find(order.organization_id, order.id))! };
      }
      await repo.transition(order.id, ['pending', 'failed'], { status: 'failed', failure_message: outcome.message, payment_method_id: outcome.paymentMethodId }, now);
      return { status: 'failed' as const, code: outcome.code, message: outcome.message, order: (await repo.find(order.organization_id, order.id))! };
    },

    /** A change the customer asked for could not be paid: the order is void and its credit returned. */
    async voidOrder(order: OrderRow, x: Kysely<DB> = db) {
      const now = clock.now();
      await inTransaction(x, async (trx) => {
        const voided = await orderRepository(trx).transition(order.id, ['pending', 'failed'], { status: 'void' }, now);
        if (voided && order.credit_amount > 0) {
          await walletRepository(trx).insert({
            id: newId('wtx', now.getTime()),
            organization_id: order.organization_id,
            customer_id: order.customer_id,
            currency: order.currency,
            amount: order.credit_amount,
            kind: 'adjustment',
            description: `Returned from void invoice ${order.invoice_number}`,
            order_id: order.id,
            now,
          });
        }
      });
    },

    /**
     * Records a refund of part or all of a paid order, in the caller's transaction `x` (or one
     * of its own): the order is locked, the amount reserved on it, and the refund written.
     * To the wallet it is settled at once; to the card it is `pending` until `settleRefund`
     * (after the commit) has asked the processor, so a retry never refunds twice.
     */
    async recordRefund(
      x: Kysely<DB>,
      ref: { organizationId: string; orderId: string },
      amount: number | 'rest',
      destination: 'payment_method' | 'wallet',
      reason: string | null,
    ) {
      return inTransaction(x, async (trx) => {
        const trxRepo = orderRepository(trx);
        const order = await trxRepo.lock(ref.organizationId, ref.orderId);
        if (!order) throw new ApiError(404, 'order_not_found', 'No such order.');
        if (!['paid', 'partially_refunded'].includes(order.status)) {
          throw new ApiError(409, 'order_not_refundable', `Order ${order.invoice_number} is ${order.status}; only paid orders can be refunded.`);
        }
        const refundable = order.total - order.refunded_amount;
        const value = amount === 'rest' ? refundable : amount;
        if (value < 1 || value > refundable) {
          throw new ApiError(400, 'refund_amount_invalid', `The refund must be between 1 and ${refundable} (the amount not yet refunded).`);
        }
        const now = clock.now();
        const refundId = newId('re', now.getTime());
        const status = order.refunded_amount + value >= order.total ? 'refunded' : 'partially_refunded';
        const updated = await trxRepo.addRefunded(order.id, value, status, now);
        const toCard = destination === 'payment_method';
        await trxRepo.insertRefund({ id: refundId, organization_id: order.organization_id, order_id: order.id, amount: value, currency: order.currency, reason, destination, provider_ref: null, status: toCard ? 'pending' : 'succeeded', created_at: now });
        if (!toCard) {
          await walletRepository(trx).insert({
            id: newId('wtx', now.getTime()),
            organization_id: order.organization_id,
            customer_id: order.customer_id,
            currency: order.currency,
            amount: value,
            kind: 'refund',
            description: `Refund of invoice ${order.invoice_number}`,
            order_id: order.id,
            now,
          });
          await deps.webhooks.emit(trx, order.organization_id, 'order.refunded', { ...orderEventData(updated), refund: { id: refundId, amount: value, destination } });
        }
        return { id: refundId, amount: value, destination, status: toCard ? ('pending' as const) : ('succeeded' as const), order: updated };
      });
    },

    /**
     * Asks the processor for a pending card refund (same idempotency key on every attempt) and
     * settles it. A refusal releases the reservation; `fallback: 'wallet'` then credits the
     * amount to the wallet instead, so money owed is never lost. A processor that cannot be
     * reached leaves it pending for the refunds job.
     */
    async settleRefund(refundId: string, fallback: 'release' | 'wallet' = 'release'): Promise<'succeeded' | 'failed' | 'pending'> {
      const refund = await repo.findRefund(refundId);
      if (!refund || refund.status !== 'pending') return refund?.status ?? 'failed';
      const order = (await repo.find(refund.organization_id, refund.order_id))!;
      let providerRef: string | null;
      try {
        providerRef = await deps.payments.refundToCard(order, refund.amount, refund.id);
      } catch (error) {
        if (!isRefusal(error)) {
          deps.logger?.warn({ refund: refund.id, order: order.id }, 'card refund not confirmed; the refunds job will ask again');
          return 'pending';
        }
        const now = clock.now();
        await db.transaction().execute(async (trx) => {
          const trxRepo = orderRepository(trx);
          if (!(await trxRepo.finishRefund(refund.id, 'failed', null))) return;
          if (fallback === 'wallet') {
            // Owed to the customer all the same: the wallet keeps it, and the order says refunded.
            await walletRepository(trx).insert({
              id: newId('wtx', now.getTime()),
              organization_id: order.organization_id,
              customer_id: order.customer_id,
              currency: order.currency,
              amount: refund.amount,
              kind: 'refund',
              description: `Refund of invoice ${order.invoice_number}`,
              order_id: order.id,
              now,
            });
            await trxRepo.insertRefund({ id: newId('re', now.getTime()), organization_id: order.organization_id, order_id: order.id, amount: refund.amount, currency: order.currency, reason: refund.reason, destination: 'wallet', provider_ref: null, status: 'succeeded', created_at: now });
            const current = (await trxRepo.find(order.organization_id, order.id))!;
            await deps.webhooks.emit(trx, order.organization_id, 'order.refunded', { ...orderEventData(current), refund: { id: refund.id, amount: refund.amount, destination: 'wallet' } });
          } else {
            await trxRepo.releaseRefunded(order.id, refund.amount, now);
          }
        });
        if (fallback === 'release') throw new ApiError(402, 'refund_failed', 'The payment processor refused this refund; nothing was refunded.');
        return 'failed';
      }
      const settled = await db.transaction().execute(async (trx) => {
        const trxRepo = orderRepository(trx);
        if (!(await trxRepo.finishRefund(refund.id, 'succeeded', providerRef))) return false;
        const current = (await trxRepo.find(order.organization_id, order.id))!;
        await deps.webhooks.emit(trx, order.organization_id, 'order.refunded', { ...orderEventData(current), refund: { id: refund.id, amount: refund.amount, destination: 'payment_method' } });
        return true;
      });
      if (settled) await deps.onEntitlementsChanged?.(order.organization_id, order.customer_id);
      return 'succeeded';
    },

    /** Refunds part or all of a paid order, to the card or as wallet credit: record, then settle. */
    async refund(ref: { organizationId: string; orderId: string }, amount: number | 'rest', destination: 'payment_method' | 'wallet', reason: string | null) {
      const recorded = await this.recordRefund(db, ref, amount, destination, reason);
      const status = recorded.status === 'pending' ? await this.settleRefund(recorded.id) : recorded.status;
      if (status === 'succeeded' && destination === 'wallet') await deps.onEntitlementsChanged?.(ref.organizationId, recorded.order.customer_id);
      return { ...recorded, status, order: (await repo.find(ref.organizationId, ref.orderId))! };
    },

    /** The refunds job: card refunds a dead process left pending, asked again with the same key. */
    async settlePendingRefunds(olderThan: Date): Promise<number> {
      const pending = await repo.pendingRefunds(olderThan, 50);
      for (const r of pending) await this.settleRefund(r.id, r.reason === CANCEL_REFUND_REASON ? 'wallet' : 'release').catch(() => undefined);
      return pending.length;
    },

    /**
     * A one-time purchase charged to the customer's default card: an order with one line per
     * one-time price. The order stays (failed) when the card is declined, so the merchant sees it.
     */
    async purchase(
      org: Organization,
      customerId: string,
      items: Array<{ price_id: string; quantity: number }>,
      services: { customers: { get(org: string, ref: { id: string }): Promise<CustomerRow> }; catalog: { price(org: string, id: string): Promise<{ id: string; product_id: string; type: string; currency: string; unit_amount: number }>; product(org: string, id: string): Promise<{ product: { name: string } }> } },
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
        lines.push({ kind: 'one_time', description: product.name, quantity: item.quantity, unit_amount: price.unit_amount, amount: price.unit_amount * item.quantity, price_id: price.id });
      }
      const draft = await this.draft({ org, customer, currency: currency!, items: lines, useWallet: true });
      const { order } = await this.create(db, org, customer, draft, { subscriptionId: null, reason: 'purchase', dedupeKey: null });
      const paid = await this.pay(order, customer, `${org.name} · ${order.invoice_number}`);
      if (paid.status === 'succeeded') deps.onPurchasePaid?.(org, customer, paid.order);
      if (paid.status === 'succeeded') await deps.onEntitlementsChanged?.(org.id, customer.id);
      return { order: paid.order, payment: paid.status === 'succeeded' ? { status: 'succeeded' as const } : { status: 'failed' as const, code: paid.code, message: paid.message } };
    },

    /** New name, company, address or tax id on an invoice; the PDF is drawn from them on each download. */
    updateInvoiceDetails(order: OrderRow, details: Record<string, unknown>) {
      return repo.setBillingDetails(order.id, details, clock.now());
    },

    async detail(order: OrderRow) {
      const [lines, refunds] = await Promise.all([repo.lines([order.id]), repo.refunds([order.id])]);
      const method = order.payment_method_id ? await deps.payments.findMethodById(order.payment_method_id) : undefined;
      return { order, lines, refunds, method };
    },
  };
}
export type OrderService = ReturnType<typeof orderService>;

export function orderEventData(o: Pick<OrderRow, 'id' | 'customer_id' | 'subscription_id' | 'invoice_number' | 'status' | 'currency' | 'total' | 'billing_reason'> & Partial<OrderRow>) {
  return {
    id: o.id,
    customer_id: o.customer_id,
    subscription_id: o.subscription_id,
    invoice_number: o.invoice_number,
    status: o.status,
    billing_reason: o.billing_reason,
    currency: o.currency,
    total: o.total,
    refunded_amount: o.refunded_amount ?? 0,
  };
}

export function orderLineView(l: OrderLineRow) {
  return {
    kind: l.kind,
    description: l.description,
    quantity: l.quantity,
    unit_amount: l.unit_amount,
    amount: l.amount,
    period_start: l.period_start?.toISOString() ?? null,
    period_end: l.period_end?.toISOString() ?? null,
  };
}

export function orderView(o: OrderRow, lines?: OrderLineRow[], refunds?: RefundRow[], method?: { brand: string; last4: string } | null) {
  return {
    id: o.id,
    invoice_number: o.invoice_number,
    status: o.status,
    billing_reason: o.billing_reason,
    subscription_id: o.subscription_id,
    currency: o.currency,
    subtotal: o.subtotal,
    discount_amount: o.discount_amount,
    tax_amount: o.tax_amount,
    credit_amount: o.credit_amount,
    total: o.total,
    refunded_amount: o.refunded_amount,
    tax_note: o.tax_note,
    billing_details: o.billing_details,
    paid_at: o.paid_at?.toISOString() ?? null,
    failure_message: o.failure_message,
    period_start: o.period_start?.toISOString() ?? null,
    period_end: o.period_end?.toISOString() ?? null,
    created_at: o.created_at.toISOString(),
    ...(lines ? { lines: lines.map(orderLineView) } : {}),
    ...(refunds ? { refunds: refunds.map((r) => ({ id: r.id, amount: r.amount, destination: r.destination, reason: r.reason, created_at: r.created_at.toISOString() })) } : {}),
    ...(method !== undefined ? { payment_method: method ? { brand: method.brand, last4: method.last4 } : null } : {}),
  };
}

function party(details: BillingDetailsSnapshot | Record<string, unknown>): DocumentParty {
  const d = details as Partial<BillingDetailsSnapshot>;
  const a = d.address ?? {};
  const cityLine = [a.postal_code, a.city].filter(Boolean).join(' ');
  const lines = [a.line1, a.line2, cityLine, a.state, a.country].filter((x): x is string => Boolean(x));
  return { name: d.name ?? null, company: d.company ?? null, email: d.email ?? null, address_lines: lines, tax_id: d.tax_id ?? null };
}

/** What the invoice PDF shows, in `locale` (the customer's: customerLocale(org, customer)). */
export function invoiceDocument(org: Organization, order: OrderRow, lines: OrderLineRow[], locale: string): InvoiceDocument {
  const settings = resolveBillingSettings(org.billing_settings);
  const taxLine = lines.find((l) => l.kind === 'tax');
  return {
    locale,
    invoice_number: order.invoice_number,
    issued_at: order.created_at,
    status: order.status,
    paid_at: order.paid_at,
    seller: {
      name: org.name,
      company: settings.seller_details.company,
      email: settings.seller_details.email,
      address_lines: [...settings.seller_details.address_lines, ...(settings.seller_country ? [settings.seller_country] : [])],
      tax_id: settings.seller_details.tax_id,
    },
    bill_to: party(order.billing_details),
    currency: order.currency,
    lines: lines
      .filter((l) => !['tax', 'credit', 'discount'].includes(l.kind))
      .map((l) => ({
        description: l.description,
        quantity: l.quantity,
        unit_amount: l.unit_amount,
        amount: l.amount,
        period: l.period_start && l.period_end ? { start: l.period_start, end: l.period_end } : null,
      })),
    subtotal: order.subtotal,
    discount_amount: order.discount_amount,
    tax_label: taxLine?.description ?? null,
    tax_amount: order.tax_amount,
    credit_amount: order.credit_amount,
    total: order.total,
    tax_note: order.tax_note,
  };
}

export function receiptDocument(
  org: Organization,
  order: OrderRow,
  lines: OrderLineRow[],
  refunds: RefundRow[],
  method: { brand: string; last4: string } | null,
  locale: string,
): ReceiptDocument {
  return {
    ...invoiceDocument(org, order, lines, locale),
    receipt_number: `R-${order.invoice_number}`,
    paid_at: order.paid_at ?? order.created_at,
    payment_method: method ? { brand: method.brand, last4: method.last4 } : null,
    refunds: refunds.map((r) => ({ amount: r.amount, created_at: r.created_at, destination: r.destination })),
    amount_refunded: order.refunded_amount,
  };
}
