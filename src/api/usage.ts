import type { UsageMeter } from '../schemas/usage.js';
import type { Http } from './http.js';
import { parsed } from './http.js';

export function fetchUsage(http: Http, signal?: AbortSignal): Promise<{ meters: UsageMeter[] }> {
  return parsed<{ meters: UsageMeter[] }>(() => http.authed.get('portal/v1/usage', { signal }), 'meters');
}
