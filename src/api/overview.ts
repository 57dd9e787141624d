import type { Overview } from '../schemas/billing.js';
import type { Http } from './http.js';
import { parsed } from './http.js';

/** Everything the overview shows, in one request. */
export function fetchOverview(http: Http, signal?: AbortSignal): Promise<Overview> {
  return parsed<Overview>(() => http.authed.get('portal/v1/overview', { signal }), 'customer');
}
