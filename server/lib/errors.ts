import { currentRequestId } from './request-context.js';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Anything the caller did wrong: answered as {error: {code, message, details?}} with a 4xx. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'not_found', `${what} was not found.`);

/** The error answer; inside a request it names the request (X-Request-Id), so a customer can quote it to support. */
export function errorBody(code: string, message: string, details?: unknown) {
  const requestId = currentRequestId();
  return { error: { code, message, ...(details === undefined ? {} : { details }), ...(requestId ? { request_id: requestId } : {}) } };
}
