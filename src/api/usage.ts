import type { UsageMeter, Wallet } from '../schemas/usage.js';
import type { Http } from './http.js';
import { parsed } from './http.js';

export function fetchUsage(http: Http, signal?: AbortSignal): Promise<{ meters: UsageMeter[] }> {
  return parsed(
    () => http.authed.get('portal/v1/usage', { signal }),
    (c) => c.usageList,
  );
}

/** Balances and a page of the credit history (`cursor`: the page after it). */
export function fetchWallet(http: Http, cursor?: string | null, signal?: AbortSignal): Promise<Wallet> {
  const searchParams: Record<string, string> = { limit: '10' };
  if (cursor) searchParams.starting_after = cursor;
  return parsed(
    () => http.authed.get('portal/v1/wallet', { searchParams, signal }),
    (c) => c.wallet,
  );
}
