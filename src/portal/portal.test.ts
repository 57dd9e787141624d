import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http } from 'msw';
import { billing, seatHolderScene } from '../../test/msw/billing.js';
import { SEAT_TOKEN } from '../../test/msw/extras.js';
import { apiError, fake, LINK_TOKEN, SESSION_TOKEN, VALID_CODE } from '../../test/msw/handlers.js';
import { connectionFor, signIn, useMockApi, worker } from '../../test/msw/worker.js';
import type { SignedOutEvent } from '../events.js';
import '../index.js';
import { deferred, maybeDeep, textOf } from '../testing/dom.js';
import type { CustomerPortal } from './portal.js';
import { SignInHarness } from './sign-in.harness.js';
import type { CustomerPortalSignIn } from './sign-in.js';

const inPortal = <E extends HTMLElement = HTMLElement>(portal: CustomerPortal, ...selectors: string[]) => maybeDeep<E>(portal, ...selectors);
const signInOf = (portal: CustomerPortal) => inPortal<CustomerPortalSignIn>(portal, 'customer-portal-sign-in');
const accountText = (portal: CustomerPortal, view = 'account') => textOf(inPortal(portal, `customer-portal-${view}`));
const overviewText = (portal: CustomerPortal) => textOf(inPortal(portal, 'customer-portal-overview'));
const tabs = (portal: CustomerPortal) => [...portal.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="nav"] button')];

/** Waits until the account view shows the customer. */
async function accountShown(portal: CustomerPortal, view = 'account'): Promise<void> {
  await waitUntil(() => accountText(portal, view).includes('alice@example.com'), 'the account view did not show the customer', { timeout: 3000 });
}

/** Waits until the overview, the first section, shows the customer's billing. */
async function overviewShown(portal: CustomerPortal): Promise<void> {
  await waitUntil(() => overviewText(portal).includes('INV-0007'), 'the overview did not show the orders', { timeout: 3000 });
}

/** Shows a section by its navigation tab, as a customer does. */
function openTab(portal: CustomerPortal, label: string): void {
  const tab = tabs(portal).find((t) => textOf(t) === label);
  if (!tab) throw new Error(`no tab ${label}`);
  tab.click();
}

function setPageToken(token: string, param = 'cp_token'): void {
  const url = new URL(location.href);
  url.searchParams.set(param, token);
  history.replaceState(history.state, '', url.href);
}

describe('<customer-portal>', () => {
  useMockApi(['acme', 'globex', 'initech']);

  afterEach(() => {
    // Never leave a token behind for the next test, even when one fails.
    const url = new URL(location.href);
    url.searchParams.delete('cp_token');
    url.searchParams.delete('cp_seat');
    url.hash = ''; // the portal's address for the section shown (#cp/…)
    history.replaceState(history.state, '', url.href);
  });

  it('shows the sign-in when nobody is signed in', async () => {
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    // The sign-in is its own chunk, loaded when the portal first shows it.
    await waitUntil(() => signInOf(portal)?.shadowRoot, 'the sign-in was not shown');
    const signInElement = signInOf(portal);
    expect(signInElement).to.exist;
    const harness = new SignInHarness(signInElement!);
    await waitUntil(() => harness.title === 'Sign in to Acme Cloud', 'no organization name');
    expect(fake.to('/portal/v1/organizations/acme')).to.have.length(1);
  });

  it('applies the organization’s colour as the default primary colour', async () => {
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="globex"></customer-portal>`);
    await waitUntil(() => portal.style.getPropertyValue('--cp-brand-primary') === '#fde047', 'no brand colour');
    // A pale brand colour gets dark text on it.
    expect(portal.style.getPropertyValue('--cp-brand-on-primary')).to.equal('#18181b');
  });

  it('signs in with a code and then shows the overview, firing cp-signed-in', async () => {
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    const harness = new SignInHarness(signInOf(portal)!);
    await harness.toCodeStep();
    const signedIn = oneEvent(portal, 'cp-signed-in');
    harness.typeCode(VALID_CODE);
    const event = await signedIn;
    expect(event.composed).to.equal(true);
    await overviewShown(portal);
    expect(signInOf(portal)).to.equal(undefined);
  });

  it('exchanges a pre-authenticated link’s token and removes it from the address bar', async () => {
    setPageToken(LINK_TOKEN);
    const hold = deferred();
    worker.use(
      http.post('*/portal/v1/auth/exchange', async () => {
        await hold.promise;
        return undefined; // falls through to the default handler
      }),
    );
    const signedIn = oneEvent(document, 'cp-signed-in');
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);

    expect(new URL(location.href).searchParams.has('cp_token')).to.equal(false);
    expect(new URL(location.href).searchParams.has('wtr-session-id')).to.equal(true);
    expect(textOf(portal.shadowRoot!.querySelector('[role="status"]'))).to.equal('Signing you in…');

    hold.resolve();
    await signedIn;
    expect(fake.to('/portal/v1/auth/exchange')[0]?.body).to.deep.equal({ token: LINK_TOKEN });
    await overviewShown(portal);
  });

  it('claims a seat from an invitation link, signs the invitee in and removes the token from the address bar', async () => {
    setPageToken(SEAT_TOKEN, 'cp_seat');
    const signedIn = oneEvent(document, 'cp-signed-in');
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    expect(new URL(location.href).searchParams.has('cp_seat')).to.equal(false);
    await signedIn;
    expect(fake.to('/portal/v1/seats/claim')[0]?.body).to.deep.equal({ token: SEAT_TOKEN });
    expect(fake.to('/portal/v1/auth/exchange')).to.have.length(0);
    await overviewShown(portal);
  });

  it('a seat invitee lands on the team they joined and sees only a team member’s sections', async () => {
    seatHolderScene('Acme <b>Labs</b>');
    setPageToken(SEAT_TOKEN, 'cp_seat');
    location.hash = '#cp/orders'; // an old link to a billing section: not theirs, the overview shows
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    await waitUntil(() => overviewText(portal).includes('You joined'), 'the overview did not show the team', { timeout: 3000 });
    const overview = inPortal(portal, 'customer-portal-overview')!;
    const team = overview.shadowRoot!.querySelector('.team')!;
    expect(textOf(team.querySelector('.card__title'))).to.equal('Your team');
    expect(textOf(team.querySelector('.sub__name'))).to.equal('You joined Acme <b>Labs</b>’s Team plan');
    expect(team.querySelector('b'), 'the owner’s name is text, not markup').to.equal(null);
    expect([...team.querySelectorAll('bdi')].map((b) => textOf(b))).to.deep.equal(['Acme <b>Labs</b>', 'Team', 'Acme <b>Labs</b>']);
    expect(overviewText(portal)).not.to.contain('No active subscriptions');
    expect(overviewText(portal)).not.to.contain('No orders yet');
    await waitUntil(() => tabs(portal).length === 3, 'the navigation kept the billing sections');
    expect(tabs(portal).map((tab) => textOf(tab))).to.deep.equal(['Overview', 'Benefits', 'Account']);
    expect(tabs(portal)[0]!.getAttribute('aria-current')).to.equal('page');

    openTab(portal, 'Account');
    await accountShown(portal);
    expect(fake.to('/portal/v1/payment-methods')).to.have.length(0);
  });

  it('shows placeholder tabs until the first answer says which sections apply: a seat holder never sees the billing tabs', async () => {
    seatHolderScene();
    signIn();
    const hold = deferred();
    worker.use(
      // Every signed-in answer held (the organization, public, is not).
      http.all('*/portal/v1/*', async ({ request }) => {
        if (request.headers.get('authorization')) await hold.promise;
        return undefined; // falls through to the seat holder's answers
      }),
    );
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    const nav = () => portal.shadowRoot!.querySelector('[part="nav"]')!;
    await waitUntil(() => portal.shadowRoot?.querySelector('[part="nav"]'), 'the portal did not render');
    expect(tabs(portal), 'no tab before the answer').to.have.length(0);
    expect(nav().getAttribute('aria-busy')).to.equal('true');
    hold.resolve();
    await waitUntil(() => tabs(portal).length > 0, 'no tabs after the answer');
    expect(tabs(portal).map((tab) => textOf(tab))).to.deep.equal(['Overview', 'Benefits', 'Account']);
    expect(nav().hasAttribute('aria-busy')).to.equal(false);
  });

  it('a seat holder with a plan of their own sees every section, and the team they joined', async () => {
    signIn();
    billing.memberships = [{ seat_id: 'seat_2', subscription_id: 'sub_other', plan: 'Team', owner: 'Globex', claimed_at: '2026-11-20T10:00:00.000Z' }];
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    await overviewShown(portal);
    expect(overviewText(portal)).to.contain('You joined Globex’s Team plan');
    expect(overviewText(portal)).to.contain('Active subscriptions');
    expect(tabs(portal).map((tab) => textOf(tab))).to.deep.equal(['Overview', 'Subscriptions', 'Orders', 'Benefits', 'Seats', 'Usage', 'Wallet', 'Settings']);
  });

  it('explains an invitation that no longer works', async () => {
    setPageToken('cpi_revoked_invitation_000000', 'cp_seat');
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    await waitUntil(() => signInOf(portal), 'no sign-in');
    const harness = new SignInHarness(signInOf(portal)!);
    await waitUntil(() => harness.status.includes('This invitation was revoked or has expired.'), 'no explanation');
  });

  it('offers a way back to the merchant’s page the link came from', async () => {
    setPageToken(LINK_TOKEN);
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    await overviewShown(portal);
    await waitUntil(() => inPortal(portal, '[part="back-link"]'), 'no back link');
    const back = inPortal<HTMLAnchorElement>(portal, '[part="back-link"]')!;
    expect(back.href).to.equal('https://acme.example/app/settings');
    expect(textOf(back)).to.equal('Back to Acme Cloud');
  });

  it('removes a link’s token that does not work too, and explains on the sign-in', async () => {
    setPageToken('cpl_already_used_token_0000000');
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    expect(new URL(location.href).searchParams.has('cp_token')).to.equal(false);
    await waitUntil(() => signInOf(portal), 'no sign-in');
    const harness = new SignInHarness(signInOf(portal)!);
    await waitUntil(() => harness.status.includes('This sign-in link is not valid or was already used.'), 'no explanation');
    expect(connectionFor('acme').session.state.status).to.equal('signed-out');
  });

  it('shows the header and a navigation built from the sections', async () => {
    signIn();
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    await overviewShown(portal);
    await waitUntil(() => textOf(inPortal(portal, '[part="title"]')) === 'Acme Cloud', 'no organization name');
    // Settings holds the account, so the account is not listed as well.
    expect(tabs(portal).map((tab) => textOf(tab))).to.deep.equal(['Overview', 'Subscriptions', 'Orders', 'Benefits', 'Seats', 'Usage', 'Wallet', 'Settings']);
    expect(tabs(portal)[0]!.getAttribute('aria-current')).to.equal('page');
    // Each section loads its data with one request.
    expect(fake.requests.filter((r) => r.path !== '/portal/v1/organizations/acme').map((r) => r.path)).to.deep.equal(['/portal/v1/overview']);

    openTab(portal, 'Orders');
    await waitUntil(() => textOf(inPortal(portal, 'customer-portal-orders')).includes('INV-0007'), 'the orders did not show');
    expect(tabs(portal)[2]!.getAttribute('aria-current')).to.equal('page');
    expect(fake.requests.at(-1)?.path).to.equal('/portal/v1/orders');
  });

  it('shows the past-due banner on every section, leading to the payment methods in settings', async () => {
    billing.pastDue = true;
    signIn();
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    await overviewShown(portal);
    const banner = () => inPortal(portal, 'customer-portal-overview', '[part="past-due"]');
    await waitUntil(banner, 'no past-due banner');
    expect(textOf(banner())).to.contain('Your last payment failed.');
    const navigated = oneEvent(portal, 'cp-navigate');
    [...banner()!.querySelectorAll('button')].find((b) => textOf(b) === 'Update payment method')!.click();
    expect((await navigated).detail).to.deep.equal({ view: 'settings', detail: 'payment-method' });
    expect(location.hash).to.equal('#cp/settings/payment-method', 'the card form has an address');
    await waitUntil(() => tabs(portal)[7]!.getAttribute('aria-current') === 'page', 'the settings were not shown');
    await waitUntil(() => inPortal(portal, 'customer-portal-settings', '[part="past-due"]'), 'no banner on the settings');
    // Settings is where it leads, so it offers no link to itself.
    expect(inPortal(portal, 'customer-portal-settings', '[part="past-due"] button')).to.equal(undefined);
    await waitUntil(() => inPortal(portal, 'customer-portal-settings', 'customer-portal-payment-methods', '.add.button--primary'), 'no update button');
    // The card form is already open.
    await waitUntil(
      () => inPortal(portal, 'customer-portal-settings', 'customer-portal-payment-methods', 'customer-portal-payment-method-dialog', 'iframe'),
      'the card form did not open',
    );
    inPortal<HTMLElement & { requestClose(): void }>(
      portal,
      'customer-portal-settings',
      'customer-portal-payment-methods',
      'customer-portal-payment-method-dialog',
      'customer-portal-dialog',
    )!.requestClose();

    openTab(portal, 'Subscriptions');
    await waitUntil(() => inPortal(portal, 'customer-portal-subscriptions', '[part="past-due"]'), 'no banner on the subscriptions');
  });

  it('takes the banner away once the server says the payment is sorted', async () => {
    billing.pastDue = true;
    signIn();
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    await waitUntil(() => inPortal(portal, 'customer-portal-overview', '[part="past-due"]'), 'no past-due banner');
    billing.pastDue = false;
    openTab(portal, 'Orders');
    await waitUntil(() => textOf(inPortal(portal, 'customer-portal-orders')).includes('INV-0007'), 'the orders did not show');
    expect(inPortal(portal, 'customer-portal-orders', '[part="past-due"]')).to.equal(undefined);
  });

  it('leaves out sections the organization turned off', async () => {
    signIn('globex');
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="globex"></customer-portal>`);
    await waitUntil(() => textOf(inPortal(portal, '[part="title"]')) === 'Globex', 'no organization name');
    expect(portal.shadowRoot!.querySelectorAll('[part="nav"] button')).to.have.length(0);
    expect(inPortal(portal, 'customer-portal-account')).to.equal(undefined);
    expect(inPortal(portal, 'customer-portal-overview')).to.equal(undefined);
    expect(textOf(inPortal(portal, '[part="body"]'))).to.equal('There is nothing to show here yet.');
  });

  it('with a view, shows only that view and asks only for its data', async () => {
    signIn('initech');
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="initech" view="account"></customer-portal>`);
    await accountShown(portal);
    expect(inPortal(portal, '[part="nav"]')).to.equal(undefined);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal(['GET /portal/v1/me']);
  });

  it('says so when the view does not exist', async () => {
    signIn();
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme" view="nope"></customer-portal>`);
    expect(textOf(portal.shadowRoot!.querySelector('.alert'))).to.equal(
      'There is no "nope" view. Use one of: overview, subscriptions, orders, benefits, seats, usage, wallet, settings, account.',
    );
  });

  it('says what is missing without an organization', async () => {
    const portal = await fixture<CustomerPortal>(html`<customer-portal></customer-portal>`);
    expect(textOf(portal.shadowRoot!.querySelector('.alert'))).to.contain('Add org="your-organization"');
  });

  it('returns to the sign-in with a message when the session has expired', async () => {
    signIn();
    worker.use(http.get('*/portal/v1/me', () => apiError(401, 'session_expired', 'Your session has expired or was signed out. Sign in again.')));
    const signedOut = oneEvent(document, 'cp-signed-out') as Promise<SignedOutEvent>;
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme" view="account"></customer-portal>`);

    const event = await signedOut;
    expect(event.detail.reason).to.equal('expired');
    await waitUntil(() => signInOf(portal), 'no sign-in');
    const harness = new SignInHarness(signInOf(portal)!);
    await harness.element.updateComplete;
    expect(harness.status).to.equal('Your session has expired. Sign in again.');
    expect(localStorage.length).to.equal(0);
  });

  it('returns to the sign-in when the customer signs out, firing cp-signed-out', async () => {
    signIn();
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    await overviewShown(portal);
    openTab(portal, 'Settings');
    await accountShown(portal, 'settings');
    const signedOut = oneEvent(portal, 'cp-signed-out') as Promise<SignedOutEvent>;
    const signOut = [...inPortal(portal, 'customer-portal-settings')!.shadowRoot!.querySelectorAll('button')].find((b) => textOf(b) === 'Sign out')!;
    signOut.focus();
    signOut.click();

    const event = await signedOut;
    expect(event.detail.reason).to.equal('sign-out');
    expect(event.composed).to.equal(true);
    expect(fake.to('/portal/v1/auth/sign-out')[0]?.authorization).to.equal(`Bearer ${SESSION_TOKEN}`);
    await waitUntil(() => signInOf(portal), 'no sign-in');
    expect(new SignInHarness(signInOf(portal)!).status).to.equal('');
    // Focus stays in the portal, so the next Tab reaches the email field, not the top of the page.
    await waitUntil(() => portal.matches(':focus-within'), 'focus left the portal');
  });

  it('follows a sign-out made by another element on the page', async () => {
    signIn();
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    await overviewShown(portal);
    await connectionFor('acme').session.signOut();
    await waitUntil(() => signInOf(portal), 'no sign-in');
  });
});
