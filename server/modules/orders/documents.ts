// What an invoice or receipt PDF shows. Built from an order by the orders service;
// rendered by pdf.ts. Amounts are integer minor units in `currency`.

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
  status: 'pending' | 'paid' | 'failed' | 'refunded' | 'partially_refunded' | 'void';
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
