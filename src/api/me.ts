import type { BillingDetails, Me } from '../schemas/customer.js';
import type { MeWithPaymentMethods } from '../schemas/payments.js';
import type { Http } from './http.js';
import { fetchBlob } from './files.js';
import { done, parsed } from './http.js';

export function fetchMe(http: Http, signal?: AbortSignal): Promise<Me> {
  return parsed<Me>(() => http.authed.get('portal/v1/me', { signal }), 'id');
}

/** The customer and their cards: what the settings view shows, in one request. */
export function fetchMeWithPaymentMethods(http: Http, signal?: AbortSignal): Promise<MeWithPaymentMethods> {
  return parsed<MeWithPaymentMethods>(() => http.authed.get('portal/v1/me', { searchParams: { include: 'payment_methods' }, signal }), 'payment_methods');
}

/** `name: null` clears the name; `locale` is the customer's own choice of language (emails and PDFs too). */
export function updateMe(http: Http, body: { name?: string | null; billing_details?: BillingDetails; locale?: string }, signal?: AbortSignal): Promise<Me> {
  return parsed<Me>(() => http.authed.patch('portal/v1/me', { json: body, signal }), 'id');
}

/** Sends a code to the new address; the change happens once it is entered (`verifyEmailChange`). */
export function requestEmailChange(http: Http, email: string): Promise<void> {
  return done(() => http.authed.post('portal/v1/me/email-change', { json: { email } }));
}

export function verifyEmailChange(http: Http, code: string): Promise<Me> {
  return parsed<Me>(() => http.authed.post('portal/v1/me/email-change/verify', { json: { code } }), 'id');
}

/** Everything the portal holds about the customer, as a JSON file. */
export function fetchExport(http: Http): Promise<Blob> {
  return fetchBlob(http, 'portal/v1/me/export');
}
