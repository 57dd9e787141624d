import type { Wallet } from '../schemas/wallet.js';
import type { Http } from './http.js';
import { parsed } from './http.js';

/** Balances and a page of the credit history (`cursor`: the page after it). */
export function fetchWallet(http: Http, cursor?: string | null, signal?: AbortSignal): Promise<Wallet> {
  const searchParams: Record<string, string> = { limit: '10' };
  if (cursor) searchParams.starting_after = cursor;
  return parsed<Wallet>(() => http.authed.get('portal/v1/wallet', { searchParams, signal }), 'balances');
}
