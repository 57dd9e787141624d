import { msg } from '@lit/localize';
import ky, { HTTPError, type KyInstance, type ResponsePromise } from 'ky';
import type * as z from 'zod/mini';
import { ApiError, isAbort, networkError } from './errors.js';
import { loadContract, type Contract } from './load-contract.js';
import type { SessionStore } from './session.js';

export interface Http {
  /** For public endpoints (sign-in, organization). */
  public: KyInstance;
  /** Sends the session's bearer token; a 401 ends the session. */
  authed: KyInstance;
  /** Whether a subscription is past due, as the last answer said; fires `change`. */
  billing: BillingStatus;
}

/** Fed by the `CP-Billing-Status` header of every authenticated answer; views show the past-due banner from it. */
export interface BillingStatus extends EventTarget {
  pastDue?: boolean;
}

export function createHttp(serverUrl: string, session: SessionStore): Http {
  // Errors are shown with a retry button; silent retries would only delay them.
  const base = ky.create({ prefixUrl: serverUrl, retry: 0, timeout: 20_000 });
  const billing: BillingStatus = new EventTarget();
  const authed = base.extend({
    hooks: {
      beforeRequest: [
        (request) => {
          const token = session.token;
          if (token) request.headers.set('Authorization', `Bearer ${token}`);
        },
      ],
      afterResponse: [
        (request, _options, response) => {
          // Only the token that was refused: a late answer to an older session's request
          // must not end the session the customer has just started.
          if (response.status === 401 && request.headers.get('Authorization') === `Bearer ${session.token}`) {
            session.expire(msg('Your session has expired. Sign in again.'));
          }
          const status = response.headers.get('CP-Billing-Status');
          if (status && (status === 'past_due') !== !!billing.pastDue) {
            billing.pastDue = !billing.pastDue;
            billing.dispatchEvent(new Event('change'));
          }
        },
      ],
    },
  });
  return { public: base, authed, billing };
}

/**
 * Awaits a ky call and checks its JSON against the schema `pick` chooses from the contract
 * (loaded in parallel with the request); every failure becomes an ApiError (aborts excepted).
 */
export async function parsed<S extends z.ZodMiniType>(call: () => ResponsePromise, pick: (contract: Contract) => S): Promise<z.output<S>> {
  const contract = loadContract();
  contract.catch(() => undefined); // awaited below; not an unhandled rejection if the call fails first
  let body: unknown;
  try {
    body = await call().json();
  } catch (error) {
    throw await toApiError(error);
  }
  const result = pick(await contract).safeParse(body);
  if (!result.success) {
    throw new ApiError(200, 'invalid_response', msg('The server sent an answer this page could not read. Reload the page and try again.'));
  }
  return result.data;
}

/** Awaits a ky call whose answer has no body we need. */
export async function done(call: () => ResponsePromise): Promise<void> {
  try {
    await call();
  } catch (error) {
    throw await toApiError(error);
  }
}

/** Turns anything a ky call throws into an ApiError; aborts are passed through untouched. */
export async function toApiError(error: unknown): Promise<unknown> {
  if (error instanceof ApiError || isAbort(error)) return error;
  if (error instanceof HTTPError) {
    const { status } = error.response;
    const [{ errorBody }, json] = await Promise.all([loadContract(), error.response.json().catch(() => undefined)]);
    const body = errorBody.safeParse(json);
    if (body.success) return new ApiError(status, body.data.error.code, body.data.error.message, body.data.error.details);
    return new ApiError(status, 'http_error', msg('Something went wrong on our side. Try again in a moment.'));
  }
  // Offline, DNS, CORS, a timeout: the server's answer never arrived.
  return networkError();
}
