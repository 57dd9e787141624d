// Addresses for the portal's sections and details, so Back, reload and links work. Three modes
// (the `routing` attribute of <customer-portal>):
//   hash  — `#cp/orders/ord_123`: the fragment, only when it is empty or already ours, so a
//           merchant's own hash router is never overwritten;
//   query — `?cp_view=orders/ord_123`: one query parameter, the rest of the address kept;
//   none  — the address is left alone.
// Changes go through history.pushState/replaceState: never a reload, never a hashchange of ours.

export type RoutingMode = 'hash' | 'query' | 'none';

/** A section (`orders`) and, optionally, one thing in it (an order id, `payment-method`). */
export interface Route {
  view: string;
  detail?: string;
}

const HASH = '#cp/';
const PARAM = 'cp_view';

export function routingMode(value: string | null | undefined, fallback: RoutingMode): RoutingMode {
  return value === 'hash' || value === 'query' || value === 'none' ? value : fallback;
}

function parse(path: string): Route | undefined {
  const [view, ...rest] = path.split('/').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return '';
    }
  });
  if (!view || !/^[a-z-]{1,40}$/.test(view)) return undefined;
  const detail = rest.join('/');
  return detail ? { view, detail } : { view };
}

const path = (route: Route) =>
  [route.view, route.detail]
    .filter(Boolean)
    .map((part) => encodeURIComponent(part!))
    .join('/');

/** The route in the page's address, if it holds one of ours. */
export function readRoute(mode: RoutingMode, url: URL = new URL(location.href)): Route | undefined {
  if (mode === 'hash') return url.hash.startsWith(HASH) ? parse(url.hash.slice(HASH.length)) : undefined;
  if (mode === 'query') {
    const value = url.searchParams.get(PARAM);
    return value ? parse(value) : undefined;
  }
  return undefined;
}

/** The page's address showing `route`; undefined when this mode may not change it. */
export function routeHref(mode: RoutingMode, route: Route, url: URL = new URL(location.href)): string | undefined {
  if (mode === 'hash') {
    // Someone else's fragment (a merchant's hash router): leave it alone.
    if (url.hash && url.hash !== '#' && !url.hash.startsWith(HASH)) return undefined;
    url.hash = `${HASH}${path(route)}`;
    return url.href;
  }
  if (mode === 'query') {
    url.searchParams.set(PARAM, path(route));
    return url.href;
  }
  return undefined;
}

/** Puts `route` in the address: a new history entry, or (`replace`) the current one. */
export function writeRoute(mode: RoutingMode, route: Route, replace = false): void {
  const href = routeHref(mode, route);
  if (!href || href === location.href) return;
  if (replace) history.replaceState(history.state, '', href);
  else history.pushState(history.state, '', href);
}
