import type { InvoiceDetails, Order, OrderPage } from '../schemas/billing.js';
import type { Http } from './http.js';
import { fetchBlob } from './files.js';
import { parsed } from './http.js';

const base = (id: string) => `portal/v1/orders/${encodeURIComponent(id)}`;

export function fetchOrders(http: Http, cursor?: string | null, signal?: AbortSignal): Promise<OrderPage> {
  const searchParams: Record<string, string> = { limit: '10' };
  if (cursor) searchParams.starting_after = cursor;
  return parsed<OrderPage>(() => http.authed.get('portal/v1/orders', { searchParams, signal }), 'data');
}

/** One order with its lines, refunds and payment method. */
export function fetchOrder(http: Http, id: string, signal?: AbortSignal): Promise<Order> {
  return parsed<Order>(() => http.authed.get(base(id), { signal }), 'id');
}

export function updateInvoiceDetails(http: Http, id: string, body: InvoiceDetails, key: string): Promise<Order> {
  return parsed<Order>(() => http.authed.patch(`${base(id)}/invoice-details`, { json: body, headers: { 'Idempotency-Key': key } }), 'id');
}

/** The invoice or receipt PDF. */
export function fetchDocument(http: Http, id: string, document: 'invoice' | 'receipt'): Promise<Blob> {
  return fetchBlob(http, `${base(id)}/${document}.pdf`);
}
