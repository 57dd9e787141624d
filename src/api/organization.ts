import type { PublicOrganization } from '../schemas/organization.js';
import type { Http } from './http.js';
import { parsed } from './http.js';

export function fetchOrganization(http: Http, slug: string, signal?: AbortSignal): Promise<PublicOrganization> {
  return parsed<PublicOrganization>(() => http.public.get(`portal/v1/organizations/${encodeURIComponent(slug)}`, { signal }), 'portal_settings');
}
