import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { http, HttpResponse } from 'msw';
import { billing, proSubscription, seatHolderScene } from '../../../test/msw/billing.js';
import { fake } from '../../../test/msw/handlers.js';
import { signIn, useMockApi, worker } from '../../../test/msw/worker.js';
import { buttonIn, deferred, textOf } from '../../testing/dom.js';
import './overview.js';
import type { CustomerPortalOverview } from './overview.js';

async function renderOverview(): Promise<CustomerPortalOverview> {
  return fixture<CustomerPortalOverview>(html`<customer-portal-overview org="acme"></customer-portal-overview>`);
}
const text = (el: CustomerPortalOverview) => textOf(el.shadowRoot!.querySelector('section'));
const loaded = (el: CustomerPortalOverview) => waitUntil(() => el.shadowRoot!.querySelector('.card__title'), 'the overview did not load');
const card = (el: CustomerPortalOverview, title: string) =>
  [...el.shadowRoot!.querySelectorAll('.card')].find((c) => textOf(c.querySelector('.card__title')) === title);

describe('<customer-portal-overview>', () => {
  useMockApi();
  beforeEach(() => signIn());

  it('shows a skeleton while loading', async () => {
    const hold = deferred();
    worker.use(http.get('*/portal/v1/overview', () => hold.promise.then(() => undefined)));
    const el = await renderOverview();
    expect(el.shadowRoot!.querySelector('[aria-busy="true"] .skeleton')).to.exist;
    expect(textOf(el.shadowRoot!.querySelector('[role="status"]:not(:empty)'))).to.equal('Loading your overview…');
    hold.resolve();
    await loaded(el);
    expect(el.shadowRoot!.querySelector('.skeleton')).to.equal(null);
  });

  it('shows subscriptions, recent orders, wallet and benefits from one request', async () => {
    const el = await renderOverview();
    await loaded(el);
    expect(fake.requests.map((r) => r.path)).to.deep.equal(['/portal/v1/overview']);
    const subs = [...el.shadowRoot!.querySelectorAll('.sub')].map((s) => textOf(s));
    expect(subs[0]).to.match(/^Pro Active \$29\.00 \/ month Next charge \$34\.80 on /);
    expect(subs[1]).to.match(/^Team × 3 Active \$24\.00 \/ month Next charge \$28\.80 on /);
    const orders = [...el.shadowRoot!.querySelectorAll('.order')];
    expect(orders).to.have.length(5);
    expect(textOf(orders[0])).to.match(/^Pro .* · INV-0007 Paid \$34\.80$/);
    expect(textOf(card(el, 'Wallet'))).to.contain('$12.50');
    expect(textOf(card(el, 'Benefits'))).to.contain('No benefits yet');
    // On its own there is no portal to switch sections, so no links to them.
    expect(el.shadowRoot!.querySelector('.link')).to.equal(null);
  });

  it('a seat holder sees the team they joined and its benefits, not empty billing cards', async () => {
    seatHolderScene();
    const el = await renderOverview();
    await loaded(el);
    const team = card(el, 'Your team')!;
    expect(textOf(team.querySelector('.sub__name'))).to.equal('You joined Acme Labs’s Team plan');
    expect(textOf(team)).to.contain(`Member since ${new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date('2026-11-20T10:00:00.000Z'))}`);
    expect(textOf(team)).to.contain('Acme Labs manages this plan and its billing.');
    expect(textOf(card(el, 'Benefits'))).to.contain('Team Discord server');
    expect(card(el, 'Active subscriptions')).to.equal(undefined);
    expect(card(el, 'Recent orders')).to.equal(undefined);
    expect(card(el, 'Wallet'), 'no empty wallet').to.equal(undefined);
    await expect(el).to.be.accessible();
  });

  it('lists the benefits the customer has', async () => {
    billing.benefits = [
      { id: 'bgr_1', description: 'Acme Desktop license', type: 'license_key' },
      { id: 'bgr_2', description: 'Team Discord server', type: 'discord' },
    ];
    const el = await renderOverview();
    await loaded(el);
    const benefits = card(el, 'Benefits');
    expect(textOf(benefits)).to.contain('Acme Desktop license');
    expect(textOf(benefits)).to.contain('Team Discord server');
    expect(textOf(benefits)).not.to.contain('No benefits yet');
  });

  it('shows empty states for a new customer', async () => {
    billing.subscriptions = [];
    billing.orders = [];
    billing.walletBalance = 0;
    const el = await renderOverview();
    await loaded(el);
    expect(textOf(card(el, 'Active subscriptions'))).to.contain('No active subscriptions');
    expect(textOf(card(el, 'Recent orders'))).to.contain('No orders yet');
    expect(textOf(card(el, 'Wallet'))).to.contain('$0.00');
  });

  it('marks a subscription that is canceling, trialing or past due', async () => {
    billing.subscriptions = [
      proSubscription({ cancel_at_period_end: true, next_invoice: null }),
      proSubscription({ id: 'sub_trial', status: 'trialing', trial_end: '2025-12-05T10:00:00.000Z' }),
      proSubscription({ id: 'sub_late', status: 'past_due' }),
    ];
    const el = await renderOverview();
    await loaded(el);
    const subs = [...el.shadowRoot!.querySelectorAll('.sub')].map((s) => textOf(s));
    expect(subs[0]).to.match(/Cancels .* Ends on .*, no further charges/);
    expect(subs[1]).to.match(/Trial .* Trial ends .*, then \$34\.80/);
    expect(subs[2]).to.contain('Past due');
    expect(subs[2]).to.contain('Payment failed: we will retry automatically');
  });

  it('explains a failure and loads again on "Try again"', async () => {
    worker.use(http.get('*/portal/v1/overview', () => HttpResponse.error(), { once: true }));
    const el = await renderOverview();
    await waitUntil(() => text(el).includes('Could not reach the server. Check your connection and try again.'), 'no error');
    buttonIn(el.shadowRoot!, /Try again/).click();
    await loaded(el);
    expect(text(el)).to.contain('INV-0007');
  });

  it('shows the past-due banner when the server says a payment failed', async () => {
    billing.pastDue = true;
    const el = await renderOverview();
    await loaded(el);
    await waitUntil(() => el.shadowRoot!.querySelector('[part="past-due"]'), 'no banner');
    expect(textOf(el.shadowRoot!.querySelector('[part="past-due"]'))).to.contain('Your last payment failed.');
  });

  describe('a payment waiting for the customer’s bank (3-D Secure)', () => {
    const banner = (el: CustomerPortalOverview) => el.shadowRoot!.querySelector('[part="past-due"]');
    const modal = (el: CustomerPortalOverview) => el.shadowRoot!.querySelector('customer-portal-confirm-payment-dialog');
    const frame = (el: CustomerPortalOverview) => modal(el)?.shadowRoot?.querySelector('iframe');
    /** A message as the hosted confirm page would post it, from its origin and frame. */
    const post = (el: CustomerPortalOverview, data: unknown) =>
      window.dispatchEvent(new MessageEvent('message', { data, origin: location.origin, source: frame(el)!.contentWindow }));

    async function waiting(): Promise<CustomerPortalOverview> {
      billing.pastDue = true;
      billing.requiresAction = true;
      billing.subscriptions = [proSubscription({ status: 'past_due', past_due_reason: 'authentication_required' })];
      const el = await renderOverview();
      await loaded(el);
      await waitUntil(() => banner(el), 'no banner');
      return el;
    }

    it('the banner offers "Confirm payment", and the subscription says it waits for the customer', async () => {
      const el = await waiting();
      expect(textOf(banner(el))).to.equal('Your bank asks you to confirm a payment. Confirm it to keep your subscription running. Confirm payment');
      expect(textOf(el.shadowRoot!.querySelector('.sub'))).to.contain('Waiting for you to confirm the payment with your bank');
      await expect(el).to.be.accessible();
    });

    it('confirmed in the hosted page: the banner goes and the portal shows the subscription active', async () => {
      const el = await waiting();
      buttonIn(banner(el)!, /^Confirm payment$/).click();
      await waitUntil(() => frame(el), 'no hosted page');
      expect(fake.to('/portal/v1/payments/confirm-session')[0]?.body).to.deep.equal({ origin: location.origin });
      expect(frame(el)!.title).to.equal('Confirm your payment with your bank');
      // Modal: the page behind is inert, so Tab stays in the dialog.
      const inner = modal(el)!.shadowRoot!.querySelector('customer-portal-dialog')!.shadowRoot!.querySelector('dialog')!;
      expect(inner.matches(':modal')).to.equal(true);
      // Another origin is ignored.
      window.dispatchEvent(new MessageEvent('message', { data: { type: 'cp:cancel' }, origin: 'https://evil.example', source: frame(el)!.contentWindow }));
      post(el, { type: 'cp:ready' });
      post(el, { type: 'cp:resize', height: 300 });
      await waitUntil(() => frame(el)!.style.height === '300px', 'not resized');
      await expect(modal(el)).to.be.accessible();

      billing.pastDue = false;
      billing.requiresAction = false;
      billing.subscriptions = [proSubscription()];
      post(el, { type: 'cp:success', order_id: 'ord_waiting', subscription: { id: 'sub_pro', status: 'active' } });
      await waitUntil(() => !banner(el), 'the banner stayed');
      await waitUntil(() => /^Pro Active/.test(textOf(el.shadowRoot!.querySelector('.sub'))), 'not shown active');
      expect(textOf(el.shadowRoot!.querySelector('[role="status"].visually-hidden'))).to.equal('Payment confirmed.');
      // The dialog closes by itself a moment later (the page said "confirmed").
      await waitUntil(() => !frame(el), 'the dialog stayed open', { timeout: 3000 });
    });

    it('Escape closes the dialog; the banner stays', async () => {
      const el = await waiting();
      buttonIn(banner(el)!, /^Confirm payment$/).click();
      await waitUntil(() => frame(el), 'no hosted page');
      post(el, { type: 'cp:ready' });
      await sendKeys({ press: 'Escape' });
      await waitUntil(() => !frame(el), 'Escape did not close it');
      expect(banner(el)).to.exist;
    });
  });

  it('is accessible', async () => {
    billing.pastDue = true;
    const el = await renderOverview();
    await loaded(el);
    await expect(el).to.be.accessible();
  });
});
