import type { CancelResult, ChangePreview, ChangeResult, Subscription, SubscriptionDetail } from '../schemas/billing.js';
import type { Http } from './http.js';
import { parsed } from './http.js';

const base = (id: string) => `portal/v1/subscriptions/${encodeURIComponent(id)}`;

export function fetchSubscriptions(http: Http, cursor?: string | null, signal?: AbortSignal) {
  const searchParams: Record<string, string> = { limit: '20' };
  if (cursor) searchParams.starting_after = cursor;
  return parsed(() => http.authed.get('portal/v1/subscriptions', { searchParams, signal }), (c) => c.subscriptionPage);
}

/** One subscription with the plans it can move to. */
export function fetchSubscription(http: Http, id: string, signal?: AbortSignal): Promise<SubscriptionDetail> {
  return parsed(() => http.authed.get(base(id), { signal }), (c) => c.subscriptionDetail);
}

export interface CancelRequest {
  mode: 'at_period_end' | 'immediately';
  reason?: string;
  comment?: string;
}

export interface ChangeRequest {
  price_id?: string;
  seats?: number;
}

/** POSTs one action; `key` is the action's Idempotency-Key. */
const post = (http: Http, id: string, action: string, key: string, json?: unknown, signal?: AbortSignal) =>
  http.authed.post(`${base(id)}/${action}`, { json: json ?? {}, headers: { 'Idempotency-Key': key }, signal });

export function cancelSubscription(http: Http, id: string, body: CancelRequest, key: string): Promise<CancelResult> {
  return parsed(() => post(http, id, 'cancel', key, body), (c) => c.cancelResult);
}

/** uncancel, accept-offer, pause, resume: each answers with the subscription. */
export function subscriptionAction(http: Http, id: string, action: 'uncancel' | 'accept-offer' | 'pause' | 'resume', key: string): Promise<Subscription> {
  return parsed(() => post(http, id, action, key), (c) => c.subscription);
}

/** What a change would cost; nothing is changed. */
export function previewChange(http: Http, id: string, body: ChangeRequest, signal?: AbortSignal): Promise<ChangePreview> {
  return parsed(() => http.authed.post(`${base(id)}/change-preview`, { json: body, signal }), (c) => c.changePreview);
}

/** Makes the change the preview showed, at the preview's prices (`proration_date`). */
export function changeSubscription(http: Http, id: string, body: ChangeRequest & { proration_date: string }, key: string): Promise<ChangeResult> {
  return parsed(() => post(http, id, 'change', key, body), (c) => c.changeResult);
}
