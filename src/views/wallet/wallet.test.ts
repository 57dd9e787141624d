import { expect, fixture, html } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { extras } from '../../../test/msw/extras.js';
import { fake } from '../../../test/msw/handlers.js';
import { signIn, useMockApi, worker } from '../../../test/msw/worker.js';
import { ViewHarness } from '../../testing/view.harness.js';
import './wallet.js';
import type { CustomerPortalWallet } from './wallet.js';

async function render(): Promise<ViewHarness<CustomerPortalWallet>> {
  const h = new ViewHarness(await fixture<CustomerPortalWallet>(html`<customer-portal-wallet org="acme"></customer-portal-wallet>`));
  await h.until(() => h.root.querySelector('.balance strong'), 'the wallet did not load');
  return h;
}

const entries = (h: ViewHarness) => h.root.querySelectorAll('li.entry');

describe('<customer-portal-wallet>', () => {
  useMockApi();
  beforeEach(() => signIn());

  it('shows the balance and the credit history, a page at a time', async () => {
    const h = await render();
    expect(h.text).to.contain('Balance (USD) $15.00 Used automatically on your next invoices.');
    expect(entries(h)).to.have.length(10);
    expect(entries(h)[0]!.textContent!.replace(/\s+/g, ' ')).to.match(/Welcome credit .*Credit · \$10\.00 left · expires .* \+\$15\.00/);
    expect(entries(h)[1]!.textContent!.replace(/\s+/g, ' ')).to.match(/Applied to invoice INV-001 .*Applied to an invoice.* -\$5\.00/);
    await expect(h.element).to.be.accessible();

    h.button(/^Load more$/).click();
    await h.until(() => entries(h).length === 12, 'the next page did not load');
    expect(fake.requests.map((r) => r.path)).to.deep.equal(['/portal/v1/wallet', '/portal/v1/wallet']);
    expect(h.root.querySelector('.more')).to.equal(null);
  });

  it('shows an empty history', async () => {
    extras.wallet = { balances: [], transactions: [] };
    const h = await render();
    expect(h.text).to.contain('$0.00');
    expect(h.text).to.contain('No credit yet');
  });

  it('explains a failure and loads again', async () => {
    worker.use(http.get('*/portal/v1/wallet', () => HttpResponse.error(), { once: true }));
    const h = new ViewHarness(await fixture<CustomerPortalWallet>(html`<customer-portal-wallet org="acme"></customer-portal-wallet>`));
    expect(h.text).to.contain('Loading your wallet…');
    await h.shows('Could not reach the server.');
    h.button(/Try again/).click();
    await h.shows('$15.00');
  });
});
