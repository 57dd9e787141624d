// What the hosted pages' tests share: the messages a page posts to its parent (in a test the
// window is its own parent), and the page's address as the widget opens it.

/** The `cp:` messages posted from this origin while the current test runs. */
export function hostedMessages(): Array<{ type: string; [key: string]: unknown }> {
  const seen: Array<{ type: string }> = [];
  const listener = (event: MessageEvent) => {
    if (event.origin === location.origin && (event.data as { type?: string })?.type?.startsWith('cp:')) seen.push(event.data as { type: string });
  };
  addEventListener('message', listener);
  after(() => removeEventListener('message', listener));
  return seen as Array<{ type: string }>;
}

/** Puts `token` and the given `theme` / `locale` (the others taken out) in the page's address. */
export function hostedAddress(token: string, params: { theme?: string; locale?: string } = {}): void {
  const url = new URL(location.href);
  url.searchParams.set('token', token);
  for (const name of ['theme', 'locale'] as const) {
    const value = params[name];
    if (value) url.searchParams.set(name, value);
    else url.searchParams.delete(name);
  }
  history.replaceState(history.state, '', url.href);
}
