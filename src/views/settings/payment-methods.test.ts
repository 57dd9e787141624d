import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { billing } from '../../../test/msw/billing.js';
import { extras } from '../../../test/msw/extras.js';
import { fake } from '../../../test/msw/handlers.js';
import { signIn, useMockApi, worker } from '../../../test/msw/worker.js';
import type { PaymentMethodUpdatedEvent } from '../../events.js';
import { ViewHarness } from '../../testing/view.harness.js';
import './payment-methods.js';
import type { CustomerPortalPaymentMethods } from './payment-methods.js';

async function render(): Promise<ViewHarness<CustomerPortalPaymentMethods>> {
  const h = new ViewHarness(await fixture<CustomerPortalPaymentMethods>(html`<customer-portal-payment-methods org="acme"></customer-portal-payment-methods>`));
  await h.until(() => h.root.querySelector('li.entry, .empty'), 'the payment methods did not load');
  return h;
}

const cards = (h: ViewHarness) => [...h.root.querySelectorAll('li.entry')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
/** The hosted card form's modal, its dialog and its iframe. */
const modal = (h: ViewHarness) => h.root.querySelector('customer-portal-payment-method-dialog')!;
const frame = (h: ViewHarness) => modal(h).shadowRoot!.querySelector('iframe');

/** A message as the hosted page would post it: from `origin`, from `source`. */
function post(data: unknown, origin: string, source: Window | null): void {
  window.dispatchEvent(new MessageEvent('message', { data, origin, source }));
}

describe('<customer-portal-payment-methods>', () => {
  useMockApi();
  beforeEach(() => signIn());

  it('lists the cards with brand, last four digits, expiry and the default', async () => {
    const h = await render();
    expect(cards(h)).to.deep.equal(['Visa •••• 4242 Default Expires 04/30 Remove', 'Mastercard •••• 4444 Expired 12/24 Make default Remove']);
    await expect(h.element).to.be.accessible();
  });

  it('marks a card that expires within a month "Expires soon"', async () => {
    const now = new Date();
    // Valid until the end of this month: at most 31 days left.
    extras.cards = [{ ...extras.cards[0]!, exp_month: now.getMonth() + 1, exp_year: now.getFullYear() }];
    const h = await render();
    expect(cards(h)[0]).to.contain('Expires soon');
    extras.cards = [{ ...extras.cards[0]!, exp_month: 4, exp_year: now.getFullYear() + 3 }];
    const later = await render();
    expect(cards(later)[0]).not.to.contain('Expires soon');
  });

  it('shows the loading state, the error and "Try again"', async () => {
    worker.use(http.get('*/portal/v1/payment-methods', () => HttpResponse.error(), { once: true }));
    const h = new ViewHarness(
      await fixture<CustomerPortalPaymentMethods>(html`<customer-portal-payment-methods org="acme"></customer-portal-payment-methods>`),
    );
    expect(h.text).to.contain('Loading your payment methods…');
    await h.shows('Could not reach the server.');
    h.button(/Try again/).click();
    await h.shows('Visa •••• 4242');
  });

  it('offers to add a card when there is none', async () => {
    extras.cards = [];
    const h = await render();
    expect(h.text).to.contain('No payment method yet Add a card to pay for your subscriptions. Add payment method');
  });

  it('makes another card the default', async () => {
    const h = await render();
    const updated = oneEvent(h.element, 'cp-payment-method-updated') as Promise<PaymentMethodUpdatedEvent>;
    h.button(/^Make default: Mastercard •••• 4444$/).click();
    expect((await updated).detail).to.deep.equal({ change: 'default', paymentMethodId: 'pm_mc', retried: [] });
    await h.until(() => cards(h)[1]?.startsWith('Mastercard •••• 4444 Default'), 'not the default');
    expect(h.announcement).to.equal('Mastercard •••• 4444 is now your default payment method.');
    // Seen too, not only heard: the same words in a toast, with its Dismiss button.
    await h.until(() => h.toast === 'Mastercard •••• 4444 is now your default payment method.', `no toast: "${h.toast}"`);
  });

  it('removes a card after a confirmation', async () => {
    const h = await render();
    h.button(/^Remove Mastercard •••• 4444$/).click();
    await h.until(() => h.dialogText.includes('Remove Mastercard •••• 4444?'), 'no confirmation');
    await expect(h.dialog).to.be.accessible();
    h.dialogButton(/^Remove card$/).click();
    await h.until(() => cards(h).length === 1, 'not removed');
    expect(fake.to('/portal/v1/payment-methods/pm_mc').map((r) => r.method)).to.deep.equal(['DELETE']);
  });

  it('shows the server’s refusal to remove the card a subscription needs', async () => {
    extras.refuseRemoval = 'Add another card before removing this one: your Pro subscription needs a payment method.';
    const h = await render();
    h.button(/^Remove Visa •••• 4242$/).click();
    await h.until(() => h.dialogText.includes('Remove Visa •••• 4242?'), 'no confirmation');
    h.dialogButton(/^Remove card$/).click();
    await h.until(() => h.dialogText.includes('Add another card before removing this one'), 'no refusal');
    expect(cards(h)).to.have.length(2);
  });

  it('adds a card in the hosted form, trusting only its origin and frame', async () => {
    billing.pastDue = true;
    const h = await render();
    await h.until(() => h.root.querySelector('[part="past-due"]'), 'no banner');
    h.button(/^Update payment method$/).click();
    await h.until(() => frame(h), 'no iframe');
    expect(fake.to('/portal/v1/payment-methods/hosted-session')[0]?.body).to.deep.equal({ origin: location.origin, make_default: true });
    expect(frame(h)!.title).to.equal('Secure card form');
    expect(modal(h).shadowRoot!.querySelector('[role="status"]')?.getAttribute('aria-label')).to.equal('Loading the secure card form…');

    // Another origin, or another window, is ignored.
    post({ type: 'cp:ready' }, 'https://evil.example', frame(h)!.contentWindow);
    post({ type: 'cp:ready' }, location.origin, window);
    await modal(h).updateComplete;
    expect(frame(h)!.style.height).to.equal('0px');

    post({ type: 'cp:ready' }, location.origin, frame(h)!.contentWindow);
    post({ type: 'cp:resize', height: 412 }, location.origin, frame(h)!.contentWindow);
    await h.until(() => frame(h)!.style.height === '412px', 'not resized');
    await expect(modal(h)).to.be.accessible();

    billing.pastDue = false;
    extras.cards = [
      { id: 'pm_new', brand: 'visa', last4: '1881', exp_month: 1, exp_year: 2031, is_default: true, created_at: new Date().toISOString() },
      ...extras.cards.map((c) => ({ ...c, is_default: false })),
    ];
    const updated = oneEvent(h.element, 'cp-payment-method-updated') as Promise<PaymentMethodUpdatedEvent>;
    const retried = [{ subscription_id: 'sub_pro', status: 'active', ok: true, message: null }];
    post({ type: 'cp:success', payment_method: extras.cards[0], retried }, location.origin, frame(h)!.contentWindow);
    const event = await updated;
    expect([event.detail, event.composed]).to.deep.equal([{ change: 'added', paymentMethodId: 'pm_new', retried }, true]);
    await h.until(() => !frame(h), 'the modal did not close');
    await h.until(() => cards(h)[0]?.startsWith('Visa •••• 1881 Default'), 'the list was not refreshed');
    // The answer said the payment is sorted: the banner goes.
    await h.until(() => !h.root.querySelector('[part="past-due"]'), 'the banner stayed');
  });

  it('gives the card form the dialog’s theme: a dark dialog gets a dark form', async () => {
    const h = new ViewHarness(
      await fixture<CustomerPortalPaymentMethods>(html`<customer-portal-payment-methods org="acme" theme="dark"></customer-portal-payment-methods>`),
    );
    await h.until(() => h.root.querySelector('li.entry'), 'no cards');
    h.button(/^Update payment method$/).click();
    await h.until(() => frame(h), 'no card form');
    expect(frame(h)!.getAttribute('src')).to.match(/&theme=dark$/);
    expect(frame(h)!.style.colorScheme).to.equal('dark');
  });

  it('shows the hosted form’s error with "Try again", and closes on its cancel', async () => {
    const h = await render();
    h.button(/^Update payment method$/).click();
    await h.until(() => frame(h), 'no iframe');
    post({ type: 'cp:error', message: 'This form has expired or was already used. Close it and try again.' }, location.origin, frame(h)!.contentWindow);
    await h.until(() => modal(h).shadowRoot!.textContent!.includes('This form has expired'), 'no error');
    modal(h).shadowRoot!.querySelector<HTMLButtonElement>('.alert button')!.click();
    await h.until(() => frame(h), 'no new form');
    expect(fake.to('/portal/v1/payment-methods/hosted-session')).to.have.length(2);
    post({ type: 'cp:cancel' }, location.origin, frame(h)!.contentWindow);
    await h.until(() => !frame(h), 'not closed');
  });
});
