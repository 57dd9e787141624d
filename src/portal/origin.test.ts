// A page on an origin the organization does not allow: the browser hides the server's answers
// (CORS) as network errors, so the widget asks the server's origin probe, which every page may
// read, and says what the merchant must add instead of "check your connection".
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { signIn, useMockApi, worker } from '../../test/msw/worker.js';
import '../index.js';
import '../views/overview/overview.js';
import { maybeDeep, textOf } from '../testing/dom.js';
import type { CustomerPortal } from './portal.js';

/** The server for `org` refuses this page: its answers are unreadable, its probe says why. */
function refuseThisOrigin(org: string, probe: 'not-allowed' | 'unreachable' | 'allowed' = 'not-allowed'): void {
  worker.use(
    http.get(`*/portal/v1/organizations/${org}/origin`, () => {
      if (probe === 'unreachable') return HttpResponse.error();
      return HttpResponse.json({ origin: location.origin, organization_found: true, allowed: probe === 'allowed' });
    }),
    http.all('*/portal/v1/*', ({ request }) => (new URL(request.url).pathname.endsWith('/origin') ? undefined : HttpResponse.error())),
  );
}

const EXPECTED = (org: string) =>
  `This page (${location.origin}) may not use this portal: it is not one of the organization’s allowed origins. The merchant must add it to the allowed origins: PATCH /v1/organization (allowed_origins) or customer-portal-server allow-origin --slug ${org} --origin ${location.origin}.`;
/** The text without the Unicode isolates around addresses and commands. */
const plain = (text: string) => text.replace(/[\u2066-\u2069]/g, '');

describe('a page whose origin the organization does not allow', () => {
  useMockApi(['blocked-a', 'blocked-b', 'offline-c', 'acme']);

  it('says so on the sign-in at once, naming the origin and what the merchant must add', async () => {
    refuseThisOrigin('blocked-a');
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="blocked-a"></customer-portal>`);
    const signIn = () => maybeDeep(portal, 'customer-portal-sign-in');
    await waitUntil(() => textOf(signIn()).includes('may not use this portal'), 'no origin message', { timeout: 3000 });
    const alert = maybeDeep(portal, 'customer-portal-sign-in', '[role="alert"]');
    expect(plain(textOf(alert))).to.equal(EXPECTED('blocked-a'));
    expect(textOf(signIn())).to.not.include('Could not reach the server');
  });

  it('a view on its own, signed in, shows the same instead of "check your connection"', async () => {
    refuseThisOrigin('blocked-b');
    signIn('blocked-b');
    const view = await fixture(html`<customer-portal-overview org="blocked-b"></customer-portal-overview>`);
    await waitUntil(() => textOf(view).includes('may not use this portal'), 'no origin message', { timeout: 3000 });
    expect(plain(textOf(view))).to.include(EXPECTED('blocked-b'));
    expect(textOf(view)).to.not.include('Check your connection');
  });

  it('when the server cannot be reached at all, it is the connection', async () => {
    refuseThisOrigin('offline-c', 'unreachable');
    signIn('offline-c');
    const view = await fixture(html`<customer-portal-overview org="offline-c"></customer-portal-overview>`);
    await waitUntil(() => textOf(view).includes('Could not reach the server. Check your connection and try again.'), 'no network message', { timeout: 3000 });
    expect(textOf(view)).to.not.include('may not use this portal');
  });

  it('when the probe says the origin is allowed, a failure is still a connection problem', async () => {
    refuseThisOrigin('acme', 'allowed');
    signIn('acme');
    const view = await fixture(html`<customer-portal-overview org="acme"></customer-portal-overview>`);
    await waitUntil(() => textOf(view).includes('Could not reach the server. Check your connection and try again.'), 'no network message', { timeout: 3000 });
  });
});
