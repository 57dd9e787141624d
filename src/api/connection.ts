import type { PublicOrganization } from '../schemas/organization.js';
import { createHttp, type Http } from './http.js';
import { fetchOrganization } from './organization.js';
import { SessionStore } from './session.js';

/** What every element needs to talk to one organization's portal on one server. */
export interface Connection {
  readonly serverUrl: string;
  readonly org: string;
  readonly session: SessionStore;
  readonly http: Http;
  /** The organization's public profile, fetched once and shared (a failed fetch is retried on the next call). */
  organization(): Promise<PublicOrganization>;
}

/**
 * Merchants load the script from the session server, so the server is where the script
 * came from unless an element says otherwise (`server-url`).
 */
export const defaultServerUrl = new URL(import.meta.url).origin;

const connections = new Map<string, Connection>();

/** The one connection per (server, organization) on this page: elements share its session. */
export function connect(serverUrl: string, org: string): Connection {
  const server = serverUrl.replace(/\/+$/, '');
  const key = `${server} ${org}`;
  let connection = connections.get(key);
  if (!connection) {
    const session = new SessionStore(`customer-portal:session:${server}:${org}`, (token) =>
      http.public.post('portal/v1/auth/sign-out', { headers: { Authorization: `Bearer ${token}` } }),
    );
    const http = createHttp(server, session, org);
    let organization: Promise<PublicOrganization> | undefined;
    connection = {
      serverUrl: server,
      org,
      session,
      http,
      organization() {
        organization ??= fetchOrganization(http, org).catch((error: unknown) => {
          organization = undefined;
          throw error;
        });
        return organization;
      },
    };
    connections.set(key, connection);
  }
  return connection;
}
