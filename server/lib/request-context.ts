import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The request being served, for whatever runs on its behalf (log lines, error bodies): set by
 * the request-id middleware around the whole request, read anywhere below it.
 */
const store = new AsyncLocalStorage<{ requestId: string }>();

export function withRequestId<T>(requestId: string, run: () => T): T {
  return store.run({ requestId }, run);
}

export function currentRequestId(): string | undefined {
  return store.getStore()?.requestId;
}

/** A proxy's id is kept when it looks like one (letters, digits, `-_.:`, at most 128); else a new one. */
export function requestIdFrom(header: string | undefined): string {
  return header && /^[\w.:-]{1,128}$/.test(header) ? header : randomUUID();
}
