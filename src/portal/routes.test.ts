// The portal's addresses: every section and an order have one, so Back, reload and links work;
// hash mode (the default) owns only `#cp/…`, query mode one `cp_view` parameter, `none` nothing.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { signIn, useMockApi } from '../../test/msw/worker.js';
import type { NavigateEvent } from '../events.js';
import '../index.js';
import { maybeDeep, textOf } from '../testing/dom.js';
import type { CustomerPortal } from './portal.js';

const start = location.pathname;
const tabs = (portal: CustomerPortal) => [...portal.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="nav"] button')];
const current = (portal: CustomerPortal) => textOf(tabs(portal).find((t) => t.getAttribute('aria-current') === 'page') ?? null);
function openTab(portal: CustomerPortal, label: string): void {
  tabs(portal)
    .find((t) => textOf(t) === label)!
    .click();
}
const ordersText = (portal: CustomerPortal) => textOf(maybeDeep(portal, 'customer-portal-orders'));
const orderOpen = (portal: CustomerPortal, number: string) => ordersText(portal).includes(`Invoice ${number}`);
async function back(): Promise<void> {
  const popped = new Promise((resolve) => window.addEventListener('popstate', resolve, { once: true }));
  history.back();
  await popped;
}
async function portal(attrs: 'hash' | 'query' | 'none' | '' = ''): Promise<CustomerPortal> {
  const el = await fixture<CustomerPortal>(
    attrs ? html`<customer-portal org="acme" routing=${attrs}></customer-portal>` : html`<customer-portal org="acme"></customer-portal>`,
  );
  await waitUntil(() => tabs(el).length > 1, 'no tabs', { timeout: 3000 });
  return el;
}

describe('<customer-portal> addresses', () => {
  useMockApi();
  beforeEach(() => {
    history.replaceState(null, '', start);
    signIn();
  });
  afterEach(() => history.replaceState(null, '', start));

  it('hash mode (default): each tab and an order get an address; Back walks them back', async () => {
    const el = await portal();
    expect(location.hash).to.equal('');
    openTab(el, 'Orders');
    await waitUntil(() => location.hash === '#cp/orders');
    await waitUntil(() => ordersText(el).includes('INV-0007'), 'no orders', { timeout: 3000 });
    maybeDeep<HTMLButtonElement>(el, 'customer-portal-orders', '[data-id="ord_5"]')!.click();
    await waitUntil(() => location.hash === '#cp/orders/ord_5', `not addressed: ${location.hash}`);
    await waitUntil(() => orderOpen(el, 'INV-0005'), 'the order did not open');

    await back();
    await waitUntil(() => !orderOpen(el, 'INV-0005') && ordersText(el).includes('INV-0007'), 'Back did not return to the list');
    expect(location.hash).to.equal('#cp/orders');
    expect(current(el)).to.equal('Orders');
    await back();
    await waitUntil(() => current(el) === 'Overview', 'Back did not return to the overview');
    expect(location.pathname).to.equal(start, 'never left the page');
  });

  for (const dir of ['ltr', 'rtl'] as const) {
    it(`on a phone, the section a link opens has its tab scrolled into the row (${dir})`, async () => {
      history.replaceState(null, '', `${start}#cp/wallet`);
      const el = await fixture<CustomerPortal>(html`<div dir=${dir} style="width:300px"><customer-portal org="acme"></customer-portal></div>`).then(
        (box) => box.querySelector('customer-portal')!,
      );
      await waitUntil(() => current(el) === 'Wallet', 'the wallet tab is not current', { timeout: 3000 });
      const nav = el.shadowRoot!.querySelector<HTMLElement>('[part="nav"]')!;
      expect(nav.scrollWidth, 'the tabs overflow their row at this width').to.be.greaterThan(nav.clientWidth);
      const inRow = () => {
        const row = nav.getBoundingClientRect();
        const tab = tabs(el)
          .find((t) => t.getAttribute('aria-current') === 'page')!
          .getBoundingClientRect();
        return tab.left >= row.left - 1 && tab.right <= row.right + 1;
      };
      await waitUntil(inRow, 'the current tab is outside the row');
      openTab(el, 'Overview');
      await waitUntil(() => current(el) === 'Overview' && inRow(), 'the overview tab was not scrolled back into the row');
    });
  }

  it('a link or a reload opens the section and the order the address names', async () => {
    history.replaceState(null, '', `${start}#cp/orders/ord_3`);
    const el = await portal();
    await waitUntil(() => orderOpen(el, 'INV-0003'), 'the linked order did not open', { timeout: 3000 });
    expect(current(el)).to.equal('Orders');
    history.replaceState(null, '', `${start}#cp/wallet`);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    await waitUntil(() => current(el) === 'Wallet', 'an edited address was not followed');
  });

  it('the card form’s address (the payment-failed email’s link) goes back to the settings’ when the form closes', async () => {
    history.replaceState(null, '', `${start}#cp/settings/payment-method`);
    const entries = history.length;
    const el = await portal();
    const dialog = () => maybeDeep(el, 'customer-portal-settings', 'customer-portal-payment-methods', 'customer-portal-payment-method-dialog');
    const frame = () => dialog()?.shadowRoot?.querySelector('iframe');
    await waitUntil(() => frame(), 'the card form did not open', { timeout: 3000 });
    expect(current(el)).to.equal('Settings');
    // The hosted page's Cancel, as it posts it.
    window.dispatchEvent(new MessageEvent('message', { data: { type: 'cp:cancel' }, origin: location.origin, source: frame()!.contentWindow }));
    await waitUntil(() => !frame(), 'the card form did not close');
    await waitUntil(() => location.hash === '#cp/settings', `the address kept the form: ${location.hash}`);
    expect(history.length).to.equal(entries, 'in place: Back does not open the form again');
    expect(current(el)).to.equal('Settings');
  });

  it('a subscription gets an address too: a link opens it, Back returns to the list', async () => {
    const subsText = () => textOf(maybeDeep(el, 'customer-portal-subscriptions'));
    const detailOpen = () => !!maybeDeep(el, 'customer-portal-subscriptions', '.hero__title');
    history.replaceState(null, '', `${start}#cp/subscriptions/sub_team`);
    const el = await portal();
    await waitUntil(() => detailOpen() && subsText().includes('Change seats'), 'the linked subscription did not open', { timeout: 3000 });
    expect(current(el)).to.equal('Subscriptions');
    maybeDeep<HTMLButtonElement>(el, 'customer-portal-subscriptions', '.back')!.click();
    await waitUntil(() => location.hash === '#cp/subscriptions', `not addressed: ${location.hash}`);
    await waitUntil(() => !detailOpen(), 'the list did not show');
    maybeDeep<HTMLButtonElement>(el, 'customer-portal-subscriptions', '[data-id="sub_pro"]')!.click();
    await waitUntil(() => location.hash === '#cp/subscriptions/sub_pro', `not addressed: ${location.hash}`);
    await back();
    await waitUntil(() => !detailOpen(), 'Back did not return to the list');
    expect(location.hash).to.equal('#cp/subscriptions');
  });

  it('an older order not on the first page opens from its link too', async () => {
    history.replaceState(null, '', `${start}#cp/orders/ord_1`);
    const el = await portal();
    await waitUntil(() => orderOpen(el, 'INV-0001'), 'the linked order did not open', { timeout: 3000 });
  });

  it('query mode keeps the rest of the address and uses one cp_view parameter', async () => {
    history.replaceState(null, '', `${start}?tab=billing#top`);
    const el = await portal('query');
    openTab(el, 'Wallet');
    await waitUntil(() => new URL(location.href).searchParams.get('cp_view') === 'wallet');
    expect(new URL(location.href).searchParams.get('tab')).to.equal('billing');
    expect(location.hash).to.equal('#top');
    openTab(el, 'Usage');
    await waitUntil(() => new URL(location.href).searchParams.get('cp_view') === 'usage');
    await back();
    await waitUntil(() => current(el) === 'Wallet', 'Back did not return to the wallet');
    history.replaceState(null, '', `${start}?cp_view=orders%2Ford_4`);
    window.dispatchEvent(new PopStateEvent('popstate'));
    await waitUntil(() => orderOpen(el, 'INV-0004'), 'the order in the query did not open', { timeout: 3000 });
  });

  it('never overwrites a fragment that is not its own (a merchant’s hash router)', async () => {
    history.replaceState(null, '', `${start}#/app/billing`);
    const el = await portal();
    openTab(el, 'Orders');
    await waitUntil(() => current(el) === 'Orders');
    expect(location.hash).to.equal('#/app/billing');
  });

  it('routing="none" and a single view leave the address alone', async () => {
    const el = await portal('none');
    openTab(el, 'Orders');
    await waitUntil(() => current(el) === 'Orders');
    expect(location.href).to.equal(new URL(start, location.href).href);
    const single = await fixture<CustomerPortal>(html`<customer-portal org="acme" view="orders"></customer-portal>`);
    await waitUntil(() => textOf(maybeDeep(single, 'customer-portal-orders')).includes('INV-0007'), 'no orders', { timeout: 3000 });
    maybeDeep<HTMLButtonElement>(single, 'customer-portal-orders', '[data-id="ord_5"]')!.click();
    await waitUntil(() => textOf(maybeDeep(single, 'customer-portal-orders')).includes('Invoice INV-0005'));
    expect(location.href).to.equal(new URL(start, location.href).href);
  });

  it('cp-navigate still fires when a view asks for another section, and the section gets its address', async () => {
    const el = await portal();
    await waitUntil(() => textOf(maybeDeep(el, 'customer-portal-overview')).includes('INV-0007'), 'no overview', { timeout: 3000 });
    const link = [...maybeDeep(el, 'customer-portal-overview')!.shadowRoot!.querySelectorAll<HTMLElement>('button, a')].find((b) =>
      /View all orders|Open orders/.test(textOf(b)),
    )!;
    const navigated = oneEvent(document, 'cp-navigate') as Promise<NavigateEvent>;
    link.click();
    const event = await navigated;
    expect(event.detail.view).to.equal('orders');
    await waitUntil(() => location.hash === '#cp/orders');
    expect(current(el)).to.equal('Orders');
  });
});
