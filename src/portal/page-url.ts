// The page's own address: where a pre-authenticated link's token arrives (`?cp_token=`), and
// a seat invitation's (`?cp_seat=`), and where the one-click link in the sign-in email should
// bring the customer back to.

const TOKEN_PARAMS = ['cp_token', 'cp_seat'];

/** A token from the address; `seat` when it is a seat invitation's. */
export interface UrlToken {
  token: string;
  seat: boolean;
}

/**
 * Reads the sign-in token from the address and removes it at once (history.replaceState),
 * before it is used: it must not stay in the address bar, the history or a bookmark,
 * whether or not the exchange then works.
 */
export function takeTokenFromUrl(): UrlToken | undefined {
  const url = new URL(location.href);
  const found = TOKEN_PARAMS.find((param) => url.searchParams.has(param));
  if (!found) return undefined;
  const token = url.searchParams.get(found);
  url.searchParams.delete(found);
  history.replaceState(history.state, '', url.href);
  return token ? { token, seat: found !== 'cp_token' } : undefined;
}

/** This page without the token, to come back to from the email's link; none for non-web pages. */
export function returnUrl(): string | undefined {
  const url = new URL(location.href);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  for (const param of TOKEN_PARAMS) url.searchParams.delete(param);
  return url.href;
}
