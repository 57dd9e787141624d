import { msg, str } from '@lit/localize';
import { chooseLocale, getLocale } from '../i18n/localize.js';
import { ApiError, isAbort, networkError } from './errors.js';
import type { SessionStore } from './session.js';

export interface RequestOptions {
  /** Sent as the JSON body. */
  json?: unknown;
  searchParams?: Record<string, string>;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Milliseconds before the request gives up (20 s unless said). */
  timeout?: number;
}

/** A request's answer (rejected with `HTTPError` unless 2xx), with shortcuts to its body. */
export type ResponsePromise = Promise<Response> & { json(): Promise<unknown>; blob(): Promise<Blob> };

type Send = (path: string, options?: RequestOptions) => ResponsePromise;

/** Requests to one server: `path` is relative to it (`portal/v1/me`). */
export interface Client {
  get: Send;
  post: Send;
  patch: Send;
  delete: Send;
}

/** The server answered, but not with a 2xx. */
export class HTTPError extends Error {
  constructor(readonly response: Response) {
    super(`HTTP ${response.status}`);
  }
}

export interface Http {
  /** For public endpoints (sign-in, organization). */
  public: Client;
  /** Sends the session's bearer token; a 401 ends the session. */
  authed: Client;
  /** Whether a subscription is past due, as the last answer said; fires `change`. */
  billing: BillingStatus;
}

/**
 * Fed by the `CP-Billing-Status` and `CP-Portal-Scope` headers of every authenticated answer;
 * views show the past-due banner from it, the portal a seat holder's sections.
 */
export interface BillingStatus extends EventTarget {
  pastDue?: boolean;
  /** The customer holds a seat on someone else's plan and has no billing of their own; unknown until an answer said. */
  seatOnly?: boolean;
  /** A payment waits for the customer's authentication (3-D Secure): the banner offers "Confirm payment". */
  requiresAction?: boolean;
}

/**
 * A small fetch client (what the widget needs of one, without a library's weight in the
 * entry). No silent retries: errors are shown with a retry button, which retries would only
 * delay. A timeout rejects as a network error; the caller's abort passes through as itself.
 */
function client(
  serverUrl: string,
  afterResponse?: (response: Response, token?: string) => void,
  token?: () => string | undefined,
  blocked?: () => Promise<ApiError | undefined>,
): Client {
  const send =
    (method: string): Send =>
    (path, options = {}) => {
      const url = new URL(`${serverUrl}/${path}`);
      for (const [key, value] of Object.entries(options.searchParams ?? {})) url.searchParams.set(key, value);
      const headers = new Headers(options.headers);
      if (options.json !== undefined) headers.set('Content-Type', 'application/json');
      // The language on screen (a CORS-safelisted header): what the server writes for a
      // customer who has not chosen one (the sign-in email, a PDF), never stored.
      if (!headers.has('Accept-Language')) headers.set('Accept-Language', getLocale());
      const bearer = token?.();
      if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new DOMException('The server did not answer in time.', 'TimeoutError')), options.timeout ?? 20_000);
      const abort = () => controller.abort(options.signal?.reason);
      if (options.signal?.aborted) abort();
      options.signal?.addEventListener('abort', abort);
      const response = fetch(url, {
        method,
        headers,
        body: options.json === undefined ? undefined : JSON.stringify(options.json),
        signal: controller.signal,
      })
        .then(
          (res) => {
            afterResponse?.(res, bearer);
            if (!res.ok) throw new HTTPError(res);
            return res;
          },
          // No answer: offline, or the browser hid one this page may not read (CORS). Which one?
          async (error: unknown) => {
            throw (error instanceof TypeError && !controller.signal.aborted && (await blocked?.())) || error;
          },
        )
        .finally(() => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', abort);
        });
      return Object.assign(response, { json: () => response.then((r) => r.json() as Promise<unknown>), blob: () => response.then((r) => r.blob()) });
    };
  return { get: send('GET'), post: send('POST'), patch: send('PATCH'), delete: send('DELETE') };
}

/**
 * Asks the server whether this page's origin may use the organization's portal (a request
 * every origin may read). The error to show when it may not; nothing when it may, or when the
 * server cannot be reached either (then it is the connection).
 */
async function originBlocked(serverUrl: string, org: string): Promise<ApiError | undefined> {
  try {
    const res = await fetch(`${serverUrl}/portal/v1/organizations/${encodeURIComponent(org)}/origin`, { credentials: 'omit' });
    const body = (await res.json()) as { allowed?: unknown; organization_found?: unknown };
    if (!res.ok || body.allowed !== false || body.organization_found !== true) return undefined;
  } catch {
    return undefined;
  }
  // Isolated (FSI…PDI): addresses and commands read left to right inside an Arabic sentence too.
  const isolate = (text: string) => `\u2068${text}\u2069`;
  const origin = isolate(location.origin);
  const api = isolate('PATCH /v1/organization (allowed_origins)');
  const command = isolate(`customer-portal-server allow-origin --slug ${org} --origin ${location.origin}`);
  return new ApiError(
    0,
    'origin_not_allowed',
    msg(
      str`This page (${origin}) may not use this portal: it is not one of the organization’s allowed origins. The merchant must add it to the allowed origins: ${api} or ${command}.`,
    ),
  );
}

export function createHttp(serverUrl: string, session: SessionStore, org = ''): Http {
  const billing: BillingStatus = new EventTarget();
  // What the answers said belongs to one session: another customer, or none, starts unknown.
  let sessionToken = session.token;
  session.subscribe(() => {
    if (session.token === sessionToken) return;
    sessionToken = session.token;
    if (billing.pastDue === undefined && billing.seatOnly === undefined && billing.requiresAction === undefined) return;
    billing.pastDue = billing.seatOnly = billing.requiresAction = undefined;
    billing.dispatchEvent(new Event('change'));
  });
  // Asked once per failure burst; a "not allowed" answer holds until the page is reloaded.
  let probe: Promise<ApiError | undefined> | undefined;
  const blocked = (): Promise<ApiError | undefined> => {
    probe ??= originBlocked(serverUrl, org).then((error) => {
      if (!error) probe = undefined;
      return error;
    });
    return probe;
  };
  const authed = client(
    serverUrl,
    (response, token) => {
      // Only the token that was refused: a late answer to an older session's request
      // must not end the session the customer has just started.
      if (response.status === 401 && token && token === session.token) session.expire(msg('Your session has expired. Sign in again.'));
      // The customer's language, when they have one: the portal follows it unless the page chose.
      const language = response.headers.get('Content-Language');
      if (language) chooseLocale('customer', language);
      const status = response.headers.get('CP-Billing-Status');
      const scope = response.headers.get('CP-Portal-Scope');
      let changed = false;
      const pastDue = status === 'past_due' || status === 'requires_action';
      const requiresAction = status === 'requires_action';
      if (status && (pastDue !== !!billing.pastDue || requiresAction !== !!billing.requiresAction)) {
        billing.pastDue = pastDue;
        billing.requiresAction = requiresAction;
        changed = true;
      }
      // A first answer without the header (a server before it) is a customer with billing of their own.
      if ((scope || (response.ok && billing.seatOnly === undefined)) && (scope === 'seat') !== billing.seatOnly) {
        billing.seatOnly = scope === 'seat';
        changed = true;
      }
      if (changed) billing.dispatchEvent(new Event('change'));
    },
    () => session.token,
    blocked,
  );
  return { public: client(serverUrl, undefined, undefined, blocked), authed, billing };
}

/**
 * Awaits a call and returns its JSON answer, typed by the contract (src/schemas, on the server).
 * The widget does not parse answers with zod: zod/mini is ≈13 KB gzip, more than a view, and
 * the answers come from the server the contract is enforced on (docs/decisions.md, "The browser
 * trusts its server's answers"). What it checks: the answer is a JSON object holding `key`, the
 * field the caller reads first, so an answer from something else (a proxy, another version's
 * route) is a clear error, not a broken view. Every failure becomes an ApiError (aborts excepted).
 */
export async function parsed<T>(call: () => ResponsePromise, key: keyof T & string): Promise<T> {
  let body: unknown;
  try {
    body = await call().json();
  } catch (error) {
    throw await toApiError(error);
  }
  if (!body || typeof body !== 'object' || !(key in body)) {
    throw new ApiError(200, 'invalid_response', msg('The server sent an answer this page could not read. Reload the page and try again.'));
  }
  return body as T;
}

/** Awaits a call whose answer has no body we need. */
export async function done(call: () => ResponsePromise): Promise<void> {
  try {
    await call();
  } catch (error) {
    throw await toApiError(error);
  }
}

/**
 * A customer reads "Enter a valid email address…", not "email: Enter a valid…": a server of an
 * older version (or a proxy in front) may still glue the field's path to the message; the path
 * is in `details`, where the forms read it.
 */
export function withoutFieldPath(message: string, details: unknown): string {
  const path = Array.isArray(details) ? (details[0] as { path?: unknown } | undefined)?.path : undefined;
  if (typeof path !== 'string' || !path) return message;
  for (const prefix of [path, path.split('.').at(-1)!]) {
    if (message.startsWith(`${prefix}: `)) return message.slice(prefix.length + 2);
  }
  return message;
}

/** Turns anything a call throws into an ApiError; aborts are passed through untouched. */
export async function toApiError(error: unknown): Promise<unknown> {
  if (error instanceof ApiError || isAbort(error)) return error;
  if (error instanceof HTTPError) {
    const { status } = error.response;
    // The contract's error body (src/schemas/common.ts `errorBody`): {error: {code, message, details?}}.
    const body = (await error.response.json().catch(() => undefined)) as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
    const { code, message, details } = body?.error ?? {};
    if (typeof code === 'string' && typeof message === 'string') return new ApiError(status, code, withoutFieldPath(message, details), details);
    return new ApiError(status, 'http_error', msg('Something went wrong on our side. Try again in a moment.'));
  }
  // Offline, DNS, CORS, a timeout: the server's answer never arrived.
  return networkError();
}
