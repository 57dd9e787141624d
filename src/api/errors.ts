import { msg } from '@lit/localize';

/**
 * Whatever went wrong with a call, in one shape: the HTTP status (0 when the server was not
 * reached), the server's error code and its message, which is written for the customer.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const isAbort = (error: unknown): boolean => error instanceof DOMException && error.name === 'AbortError';

export const networkError = (): ApiError => new ApiError(0, 'network_error', msg('Could not reach the server. Check your connection and try again.'));
