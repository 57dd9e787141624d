import type { SessionResponse } from '../schemas/auth.js';
import type { Http } from './http.js';
import { done, parsed } from './http.js';

export interface CodeRequest {
  organization: string;
  email: string;
  return_url?: string;
}

/** Emails a sign-in code (the server answers the same for unknown emails). */
export function requestCode(http: Http, body: CodeRequest, signal?: AbortSignal): Promise<void> {
  return done(() => http.public.post('portal/v1/auth/request', { json: body, signal }));
}

export function verifyCode(
  http: Http,
  body: { organization: string; email: string; code: string },
  signal?: AbortSignal,
): Promise<SessionResponse> {
  return parsed(() => http.public.post('portal/v1/auth/verify', { json: body, signal }), (c) => c.sessionResponse);
}

/** Trades a pre-authenticated link token (`?cp_token=`) for a session. */
export function exchangeToken(http: Http, token: string, signal?: AbortSignal): Promise<SessionResponse> {
  return parsed(() => http.public.post('portal/v1/auth/exchange', { json: { token }, signal }), (c) => c.sessionResponse);
}
