// A view used on its own (no <customer-portal> on the page) trades the tokens a link brings,
// like the portal does: a pre-authenticated link's ?cp_token= and a seat invitation's ?cp_seat=.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { SEAT_TOKEN } from '../../test/msw/extras.js';
import { fake, LINK_TOKEN } from '../../test/msw/handlers.js';
import { connectionFor, useMockApi } from '../../test/msw/worker.js';
import type { SignedInEvent } from '../events.js';
import { maybeDeep, textOf } from '../testing/dom.js';
import '../index.js';
import '../views/subscriptions/subscriptions.js';
import '../views/benefits/benefits.js';

function setPageToken(token: string, param: 'cp_token' | 'cp_seat'): void {
  const url = new URL(location.href);
  url.searchParams.set(param, token);
  history.replaceState(history.state, '', url.href);
}
const inAddress = (param: string) => new URL(location.href).searchParams.has(param);

describe('a view on its own, opened from a link', () => {
  useMockApi();
  afterEach(() => {
    const url = new URL(location.href);
    url.searchParams.delete('cp_token');
    url.searchParams.delete('cp_seat');
    history.replaceState(history.state, '', url.href);
  });

  it('signs the customer in with ?cp_token=, removes it from the address and shows the view', async () => {
    setPageToken(LINK_TOKEN, 'cp_token');
    const signedIn = oneEvent(document, 'cp-signed-in') as Promise<SignedInEvent>;
    const view = await fixture(html`<customer-portal-subscriptions org="acme"></customer-portal-subscriptions>`);
    expect(inAddress('cp_token'), 'removed at once').to.equal(false);
    await signedIn;
    expect(connectionFor('acme').session.state.status).to.equal('signed-in');
    expect(fake.to('/portal/v1/auth/exchange').map((r) => r.body)).to.deep.equal([{ token: LINK_TOKEN }]);
    await waitUntil(() => textOf(view).includes('Pro'), 'the subscriptions did not show', { timeout: 3000 });
    expect(maybeDeep(view, 'customer-portal-sign-in')).to.not.exist;
  });

  it('claims a seat with ?cp_seat= and signs the invitee in', async () => {
    setPageToken(SEAT_TOKEN, 'cp_seat');
    const view = await fixture(html`<customer-portal-benefits org="acme"></customer-portal-benefits>`);
    expect(inAddress('cp_seat')).to.equal(false);
    await waitUntil(() => connectionFor('acme').session.state.status === 'signed-in', 'not signed in', { timeout: 3000 });
    expect(fake.to('/portal/v1/seats/claim').map((r) => r.body)).to.deep.equal([{ token: SEAT_TOKEN }]);
    await waitUntil(() => !maybeDeep(view, 'customer-portal-sign-in'), 'still signed out');
  });

  it('a link that does not work shows the sign-in with the reason', async () => {
    setPageToken('cpi_revoked_invitation_000000', 'cp_seat');
    const view = await fixture(html`<customer-portal-benefits org="acme"></customer-portal-benefits>`);
    await waitUntil(() => textOf(maybeDeep(view, 'customer-portal-sign-in')).includes('This invitation was revoked or has expired'), 'no reason shown', {
      timeout: 3000,
    });
    expect(connectionFor('acme').session.state.status).to.equal('signed-out');
  });

  it('two views on one page trade the token once', async () => {
    setPageToken(LINK_TOKEN, 'cp_token');
    await fixture(html`<div>
      <customer-portal-subscriptions org="acme"></customer-portal-subscriptions>
      <customer-portal-benefits org="acme"></customer-portal-benefits>
    </div>`);
    await waitUntil(() => connectionFor('acme').session.state.status === 'signed-in', 'not signed in', { timeout: 3000 });
    expect(fake.to('/portal/v1/auth/exchange')).to.have.length(1);
  });
});
