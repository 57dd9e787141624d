// What an invoice or receipt PDF shows, and how it is built from an order (its lines,
// refunds and payment method) and the seller's billing settings; rendered by pdf.ts.
// Amounts are integer minor units in `currency`.
import type { OrderLineRow, OrderRow, OrderStatus, Organization, RefundRow } from '../../db/schema.js';
import { resolveBillingSettings } from '../billing/settings.js';
import type { BillingDetailsSnapshot } from './service.js';

export interface DocumentParty {
  name: string | null;
  company: string | null;
  email: string | null;
  /** Ready-to-print lines: street, city and postal code, country. */
  address_lines: string[];
  tax_id: string | null;
}

export interface DocumentLine {
  description: string;
  quantity: number;
  unit_amount: number;
  amount: number;
  period: { start: Date; end: Date } | null;
}

export interface InvoiceDocument {
  /** BCP 47 locale for labels, dates and money (the customer's); Arabic and Hebrew mirror the page. */
  locale: string;
  invoice_number: string;
  issued_at: Date;
  status: OrderStatus;
  paid_at: Date | null;
  seller: DocumentParty;
  bill_to: DocumentParty;
  currency: string;
  lines: DocumentLine[];
  subtotal: number;
  discount_amount: number;
  /** e.g. "VAT (19%)"; null when there is no tax. */
  tax_label: string | null;
  tax_amount: number;
  credit_amount: number;
  total: number;
  /** e.g. the reverse-charge notice. */
  tax_note: string | null;
}

export interface ReceiptDocument extends InvoiceDocument {
  receipt_number: string;
  paid_at: Date;
  payment_method: { brand: string; last4: string } | null;
  refunds: Array<{ amount: number; created_at: Date; destination: 'payment_method' | 'wallet' }>;
  amount_refunded: number;
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
