import type { Customer } from '../schemas/customer.js';
import type { Http } from './http.js';
import { parsed } from './http.js';

export function fetchMe(http: Http, signal?: AbortSignal): Promise<Customer> {
  return parsed(() => http.authed.get('portal/v1/me', { signal }), (c) => c.customer);
}

/** `name: null` clears the name. */
export function updateMe(http: Http, body: { name: string | null }, signal?: AbortSignal): Promise<Customer> {
  return parsed(() => http.authed.patch('portal/v1/me', { json: body, signal }), (c) => c.customer);
}
