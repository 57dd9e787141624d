// The page's own address: where a pre-authenticated link's token arrives (`?cp_token=`),
// and where the one-click link in the sign-in email should bring the customer back to.

const TOKEN_PARAM = 'cp_token';

/**
 * Reads the sign-in token from the address and removes it at once (history.replaceState),
 * before it is used: it must not stay in the address bar, the history or a bookmark,
 * whether or not the exchange then works.
 */
export function takeTokenFromUrl(): string | undefined {
  const url = new URL(location.href);
  const token = url.searchParams.get(TOKEN_PARAM);
  if (token === null) return undefined;
  url.searchParams.delete(TOKEN_PARAM);
  history.replaceState(history.state, '', url.href);
  return token || undefined;
}

/** This page without the token, to come back to from the email's link; none for non-web pages. */
export function returnUrl(): string | undefined {
  const url = new URL(location.href);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  url.searchParams.delete(TOKEN_PARAM);
  return url.href;
}
