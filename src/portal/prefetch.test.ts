// The full portal loads the other sections' chunks once its first section is drawn; one view on
// its own loads only its own. A file of its own: the page starts with no view module loaded.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { signIn, useMockApi } from '../../test/msw/worker.js';
import '../index.js';
import { maybeDeep, textOf } from '../testing/dom.js';
import type { CustomerPortal } from './portal.js';

/** Two idle periods of the browser: what the portal leaves for idle time has run by then. */
const idle = () => new Promise<void>((done) => requestIdleCallback(() => requestIdleCallback(() => done())));

describe('<customer-portal> prefetching', () => {
  useMockApi(['acme']);

  it('one view on its own loads no other view', async () => {
    signIn();
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme" view="wallet"></customer-portal>`);
    await waitUntil(() => textOf(maybeDeep(portal, 'customer-portal-wallet')).includes('Wallet'), 'the wallet was not drawn', { timeout: 3000 });
    await idle();
    await idle();
    expect(customElements.get('customer-portal-orders')).to.equal(undefined);
    expect(customElements.get('customer-portal-settings')).to.equal(undefined);
  });

  it('the full portal loads the other sections after the first one is drawn', async () => {
    signIn();
    const portal = await fixture<CustomerPortal>(html`<customer-portal org="acme"></customer-portal>`);
    await waitUntil(() => textOf(maybeDeep(portal, 'customer-portal-overview')).includes('INV-0007'), 'the overview was not drawn', { timeout: 3000 });
    // Not opened: defined by the prefetch alone.
    await waitUntil(
      () => customElements.get('customer-portal-orders') && customElements.get('customer-portal-settings'),
      'the other sections were not loaded',
      {
        timeout: 4000,
      },
    );
    expect(portal.shadowRoot!.querySelector('customer-portal-orders')).to.equal(null);
  });
});
