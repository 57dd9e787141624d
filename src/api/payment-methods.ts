import type { HostedSession, PaymentMethod } from '../schemas/payments.js';
import type { Http } from './http.js';
import { done, parsed } from './http.js';

const base = 'portal/v1/payment-methods';

export function fetchPaymentMethods(http: Http, signal?: AbortSignal): Promise<{ data: PaymentMethod[] }> {
  return parsed<{ data: PaymentMethod[] }>(() => http.authed.get(base, { signal }), 'data');
}

/** Makes a card the default (which also retries a failed renewal) or removes it. */
export function paymentMethodAction(http: Http, id: string, action: 'default' | 'remove', key: string): Promise<void> {
  const path = `${base}/${encodeURIComponent(id)}`;
  const headers = { 'Idempotency-Key': key };
  return done(() => (action === 'default' ? http.authed.post(`${path}/default`, { headers }) : http.authed.delete(path, { headers })));
}

/** A single-use address for the hosted card form, which may only talk to this page. */
export function openHostedSession(http: Http): Promise<HostedSession> {
  return parsed<HostedSession>(() => http.authed.post(`${base}/hosted-session`, { json: { origin: location.origin, make_default: true } }), 'url');
}

/** A single-use address for the hosted confirm page (3-D Secure): the order named, or the oldest waiting payment. */
export function openConfirmSession(http: Http, orderId?: string): Promise<HostedSession> {
  return parsed<HostedSession>(
    () => http.authed.post('portal/v1/payments/confirm-session', { json: { origin: location.origin, ...(orderId ? { order_id: orderId } : {}) } }),
    'url',
  );
}
