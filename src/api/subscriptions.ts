import type {
  CancelRequest,
  CancelResult,
  ChangePreview,
  ChangeRequest,
  ChangeResult,
  Subscription,
  SubscriptionDetail,
  SubscriptionPage,
} from '../schemas/billing.js';
import { ApiError } from './errors.js';
import type { Http } from './http.js';
import { parsed } from './http.js';

const base = (id: string) => `portal/v1/subscriptions/${encodeURIComponent(id)}`;

/**
 * The subscription an action was decided on: its id, and its version, sent as
 * `expected_version` so that an action decided on an older state is refused
 * (409 subscription_changed, see `isSubscriptionChanged`) instead of done.
 */
export type DecidedOn = Pick<Subscription, 'id' | 'version'>;

export function fetchSubscriptions(http: Http, cursor?: string | null, signal?: AbortSignal) {
  const searchParams: Record<string, string> = { limit: '20' };
  if (cursor) searchParams.starting_after = cursor;
  return parsed<SubscriptionPage>(() => http.authed.get('portal/v1/subscriptions', { searchParams, signal }), 'data');
}

/** One subscription with the plans it can move to. */
export function fetchSubscription(http: Http, id: string, signal?: AbortSignal): Promise<SubscriptionDetail> {
  return parsed<SubscriptionDetail>(() => http.authed.get(base(id), { signal }), 'plans');
}

/** The server refused an action because the subscription changed since it was decided on (or a charged change is still settling). */
export const isSubscriptionChanged = (error: unknown): boolean => error instanceof ApiError && error.status === 409 && error.code === 'subscription_changed';

/**
 * When `error` says the subscription changed: the subscription as it is now (fetched again),
 * for the view to show instead. Otherwise, or when that fetch fails too, undefined: the
 * caller shows `error` as it would any other.
 */
export async function currentIfChanged(http: Http, id: string, error: unknown): Promise<SubscriptionDetail | undefined> {
  if (!isSubscriptionChanged(error)) return undefined;
  return fetchSubscription(http, id).catch(() => undefined);
}

/** POSTs one action on the subscription as it was decided on; `key` is the action's Idempotency-Key. */
const post = (http: Http, sub: DecidedOn, action: string, key: string, json: object = {}) =>
  http.authed.post(`${base(sub.id)}/${action}`, { json: { ...json, expected_version: sub.version }, headers: { 'Idempotency-Key': key } });

export function cancelSubscription(http: Http, sub: DecidedOn, body: CancelRequest, key: string): Promise<CancelResult> {
  return parsed<CancelResult>(() => post(http, sub, 'cancel', key, body), 'subscription');
}

/**
 * uncancel, accept-offer, pause, resume, cancel-scheduled-change (drops the plan or seat
 * change scheduled for the renewal): each answers with the subscription.
 */
export function subscriptionAction(
  http: Http,
  sub: DecidedOn,
  action: 'uncancel' | 'accept-offer' | 'pause' | 'resume' | 'cancel-scheduled-change',
  key: string,
): Promise<Subscription> {
  return parsed<Subscription>(() => post(http, sub, action, key), 'id');
}

/** What a change would cost; nothing is changed. */
export function previewChange(http: Http, id: string, body: ChangeRequest, signal?: AbortSignal): Promise<ChangePreview> {
  return parsed<ChangePreview>(() => http.authed.post(`${base(id)}/change-preview`, { json: body, signal }), 'due_now');
}

/** Makes the change the preview showed, at the preview's prices (`proration_date`). */
export function changeSubscription(http: Http, sub: DecidedOn, body: ChangeRequest & { proration_date: string }, key: string): Promise<ChangeResult> {
  return parsed<ChangeResult>(() => post(http, sub, 'change', key, body), 'change');
}
