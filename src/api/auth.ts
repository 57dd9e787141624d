import type { SessionResponse } from '../schemas/auth.js';
import type { Http } from './http.js';
import { done, parsed } from './http.js';

export interface CodeRequest {
  organization: string;
  email: string;
  return_url?: string;
  /** The language the portal is shown in: remembered for a customer who has none yet. */
  locale?: string;
}

/** Emails a sign-in code (the server answers the same for unknown emails). */
export function requestCode(http: Http, body: CodeRequest, signal?: AbortSignal): Promise<void> {
  return done(() => http.public.post('portal/v1/auth/request', { json: body, signal }));
}

export function verifyCode(http: Http, body: { organization: string; email: string; code: string }, signal?: AbortSignal): Promise<SessionResponse> {
  return parsed<SessionResponse>(() => http.public.post('portal/v1/auth/verify', { json: body, signal }), 'token');
}

/**
 * Trades a pre-authenticated link token (`?cp_token=`) for a session, or a seat invitation's
 * (`?cp_seat=`, `seat`): claiming the seat signs the invitee in.
 */
export function exchangeToken(http: Http, token: string, seat?: boolean, signal?: AbortSignal): Promise<SessionResponse> {
  return parsed<SessionResponse>(() => http.public.post(seat ? 'portal/v1/seats/claim' : 'portal/v1/auth/exchange', { json: { token }, signal }), 'token');
}
