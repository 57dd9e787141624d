import type { PortalBenefit, PortalBenefitList, PortalSeatList } from '../schemas/benefits.js';
import type { Http } from './http.js';
import { done, parsed } from './http.js';

export function fetchBenefits(http: Http, signal?: AbortSignal): Promise<PortalBenefitList> {
  return parsed<PortalBenefitList>(() => http.authed.get('portal/v1/benefits', { signal }), 'data');
}

/** `rotate` a license or API key (the old one stops working), or `reveal` an API key. */
export function benefitAction(http: Http, grant: string, action: 'rotate' | 'reveal', key: string): Promise<PortalBenefit> {
  return parsed<PortalBenefit>(
    () => http.authed.post(`portal/v1/benefits/${encodeURIComponent(grant)}/${action}`, { headers: { 'Idempotency-Key': key } }),
    'id',
  );
}

export function fetchSeats(http: Http, signal?: AbortSignal): Promise<PortalSeatList> {
  return parsed<PortalSeatList>(() => http.authed.get('portal/v1/seats', { signal }), 'data');
}

/** Assigns (`body`), resends (`resend`) or revokes (`DELETE`) a seat; the view reloads the list after. */
export function seatAction(
  http: Http,
  key: string,
  body: { subscription_id: string; email: string } | { id: string; action: 'resend' | 'revoke' },
): Promise<void> {
  const headers = { 'Idempotency-Key': key };
  if ('email' in body) return done(() => http.authed.post('portal/v1/seats', { json: body, headers }));
  const path = `portal/v1/seats/${encodeURIComponent(body.id)}`;
  return done(() => (body.action === 'resend' ? http.authed.post(`${path}/resend`, { headers }) : http.authed.delete(path, { headers })));
}
