import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { http, HttpResponse } from 'msw';
import { billing, immediateRefund, proSubscription, retentionOffer, teamSubscription } from '../../../test/msw/billing.js';
import { apiError, fake, record } from '../../../test/msw/handlers.js';
import { signIn, useMockApi, worker } from '../../../test/msw/worker.js';
import type { SubscriptionCanceledEvent, SubscriptionChangedEvent } from '../../events.js';
import type { Subscription } from '../../schemas/billing.js';
import { buttonIn, deferred, focused, textOf, type } from '../../testing/dom.js';
import { ViewHarness } from '../../testing/view.harness.js';
import './subscriptions.js';
import type { CustomerPortalSubscriptions } from './subscriptions.js';

const BASE = '/portal/v1/subscriptions';

/** A dialog's content (slotted, so outside its shadow root). */
const dialogText = (dialog: Element) => [...dialog.children].map((child) => textOf(child)).join(' ');

class SubscriptionsHarness {
  constructor(readonly element: CustomerPortalSubscriptions) {}
  get root(): ShadowRoot {
    return this.element.shadowRoot!;
  }
  get text(): string {
    return textOf(this.root.querySelector('section'));
  }
  button(label: RegExp): HTMLButtonElement {
    return buttonIn(this.root, label);
  }
  /** The toast on screen, as read; empty when none shows. */
  get toast(): string {
    return new ViewHarness(this.element).toast;
  }
  async loaded(): Promise<void> {
    await waitUntil(() => this.root.querySelector('.list, .hero, .empty'), 'the subscriptions did not load');
  }
  async openSubscription(name: string): Promise<void> {
    const row = [...this.root.querySelectorAll<HTMLButtonElement>('.row')].find((r) => textOf(r).startsWith(name));
    if (!row) throw new Error(`no row ${name}`);
    row.click();
    await waitUntil(() => this.root.querySelector('.hero'), 'the detail did not open');
  }
  /** The open dialog flow's shadow root (an empty one until its chunk, loaded on the click, has defined it). */
  flow(tag: string): ShadowRoot {
    return this.root.querySelector(tag)?.shadowRoot ?? notYet;
  }
  dialogOpen(tag: string): boolean {
    return Boolean(this.flow(tag).querySelector('customer-portal-dialog')?.shadowRoot?.querySelector('dialog')?.open);
  }
  title(tag: string): string {
    return this.flow(tag).querySelector('customer-portal-dialog')?.getAttribute('label') ?? '';
  }
  /** The dialog's content (slotted, so outside its shadow root). */
  flowText(tag: string): string {
    const dialog = this.flow(tag).querySelector('customer-portal-dialog');
    return dialog ? dialogText(dialog) : '';
  }
  /** Chooses a plan card and waits until it can be reviewed. */
  async choosePlan(index: number): Promise<void> {
    this.flow(PLAN).querySelectorAll<HTMLInputElement>('.plan input')[index]!.click();
    await waitUntil(() => !this.flowButton(PLAN, /Review change/).disabled, 'Review change stayed disabled');
    this.flowButton(PLAN, /Review change/).click();
  }
  async step(tag: string, title: string): Promise<void> {
    await waitUntil(() => this.title(tag) === title, `the dialog did not reach "${title}" (it shows "${this.title(tag)}")`);
  }
  flowButton(tag: string, label: RegExp): HTMLButtonElement {
    return buttonIn(this.flow(tag), label);
  }
  /** Opens Pro, its change-plan dialog, and reviews the plan card at `index`. */
  async reviewPlan(index: number): Promise<void> {
    await this.openSubscription('Pro');
    this.button(/Change plan/).click();
    await waitUntil(() => this.flow(PLAN).querySelectorAll('.plan input').length === 4, 'no plans');
    await this.choosePlan(index);
  }
  /** Opens Pro's cancel dialog at its first step, "when". */
  async openCancel(): Promise<void> {
    this.button(/Cancel subscription/).click();
    await this.step(CANCEL, 'Cancel Pro');
  }
  /** From "when" (`immediately`: the second choice) past "why" (nothing chosen), to the step titled `title`. */
  async pastWhy(title: string, immediately = false): Promise<void> {
    if (immediately) this.flow(CANCEL).querySelectorAll<HTMLInputElement>('input[name="mode"]')[1]!.click();
    this.flowButton(CANCEL, /^Continue$/).click();
    await waitUntil(() => this.flow(CANCEL).querySelector('#comment'), 'no reason step');
    this.flowButton(CANCEL, /^Continue$/).click();
    await this.step(CANCEL, title);
  }
}

async function render(): Promise<SubscriptionsHarness> {
  const element = await fixture<CustomerPortalSubscriptions>(html`<customer-portal-subscriptions org="acme"></customer-portal-subscriptions>`);
  const h = new SubscriptionsHarness(element);
  await h.loaded();
  return h;
}

/** What a flow not loaded yet shows: nothing. */
const notYet = document.createElement('div').attachShadow({ mode: 'open' });
const CANCEL = 'customer-portal-cancel-flow';
const PLAN = 'customer-portal-change-plan-flow';
const SEATS = 'customer-portal-seats-flow';
const PAUSE = 'customer-portal-pause-flow';

describe('<customer-portal-subscriptions>', () => {
  useMockApi();
  beforeEach(() => signIn());

  it('shows a skeleton while loading, then the list', async () => {
    const hold = deferred();
    worker.use(http.get(`*${BASE}`, () => hold.promise.then(() => undefined)));
    const element = await fixture<CustomerPortalSubscriptions>(html`<customer-portal-subscriptions org="acme"></customer-portal-subscriptions>`);
    expect(element.shadowRoot!.querySelector('[aria-busy="true"] .skeleton')).to.exist;
    hold.resolve();
    const h = new SubscriptionsHarness(element);
    await h.loaded();
    const rows = [...h.root.querySelectorAll('.row')].map((r) => textOf(r));
    expect(rows[0]).to.match(/^Pro Active Next charge \$34\.80 on .* \$29\.00 \/ month$/);
    expect(rows[1]).to.match(/^Team × 3 Active .* \$24\.00 \/ month$/);
    expect(fake.requests.map((r) => r.path)).to.deep.equal([BASE]);
  });

  it('shows an empty state, and ended subscriptions apart', async () => {
    billing.subscriptions = [];
    const h = await render();
    expect(h.text).to.contain('No active subscriptions');
    billing.subscriptions = [proSubscription({ status: 'canceled', ended_at: '2025-11-01T00:00:00.000Z', next_invoice: null }), teamSubscription()];
    const again = await render();
    expect(again.text).to.contain('Past subscriptions');
    expect(textOf(again.root.querySelector('.list--ended'))).to.match(/^Pro Canceled Ended on/);
  });

  it('explains a failure and loads again on "Try again"', async () => {
    worker.use(http.get(`*${BASE}`, () => apiError(500, 'internal', 'Something broke. Try again.'), { once: true }));
    const element = await fixture<CustomerPortalSubscriptions>(html`<customer-portal-subscriptions org="acme"></customer-portal-subscriptions>`);
    const h = new SubscriptionsHarness(element);
    await waitUntil(() => h.text.includes('Something broke. Try again.'), 'no error');
    h.button(/Try again/).click();
    await h.loaded();
  });

  it('shows a subscription in detail, with its next invoice, and goes back', async () => {
    const h = await render();
    await h.openSubscription('Pro');
    await waitUntil(() => focused() === h.root.querySelector('.hero__title'), 'focus did not move to the detail');
    expect(textOf(h.root.querySelector('.hero'))).to.match(/^Pro Active Unlimited projects, priority support\. \$29\.00 \/ month$/);
    expect(textOf(h.root.querySelector('.facts-grid'))).to.match(/Current period .* Next charge/);
    const invoice = textOf(h.root.querySelector('.totals'));
    expect(invoice).to.contain('Pro $29.00 Subtotal $29.00 VAT (20%) $5.80 Total $34.80');
    expect(textOf(h.root.querySelector('.actions'))).to.equal('Change plan Pause Cancel subscription');
    h.button(/All subscriptions/).click();
    await waitUntil(() => h.root.querySelector('.row'), 'no list');
    await waitUntil(() => focused()?.getAttribute('data-id') === 'sub_pro', 'focus did not return to the row');
  });

  it('opens the only subscription straight away', async () => {
    billing.subscriptions = [teamSubscription({ seats: 3, discount: { percent_off: 30, periods_left: 2 } })];
    const h = await render();
    expect(h.root.querySelector('.back')).to.equal(null);
    expect(textOf(h.root.querySelector('.hero__amount'))).to.equal('$24.00 / month 3 seats × $8.00');
    expect(textOf(h.root.querySelector('.facts-grid'))).to.contain('Seats 3');
    expect(textOf(h.root.querySelector('.facts-grid'))).to.contain('Discount 30% off the next 2 payments');
  });

  it('leaves out every action the organization turned off', async () => {
    billing.subscriptions = [
      proSubscription({
        actions: { cancel: true, uncancel: false, change_plan: false, change_seats: false, pause: false, resume: false, cancel_scheduled_change: false },
      }),
    ];
    const h = await render();
    expect(textOf(h.root.querySelector('.actions'))).to.equal('Cancel subscription');
  });

  it('shows scheduled changes and past-due notices', async () => {
    billing.subscriptions = [
      proSubscription({
        status: 'past_due',
        scheduled_change: {
          product: { id: 'prod_starter', name: 'Starter' },
          price_id: 'price_starter',
          interval: 'month',
          interval_count: 1,
          seats: 1,
          amount: 900,
          effective_at: '2025-12-11T10:00:00.000Z',
        },
      }),
    ];
    const h = await render();
    const notices = textOf(h.root.querySelector('.notices'));
    expect(notices).to.contain('The last payment for Pro failed.');
    expect(notices).to.match(/Scheduled: changes to Starter at \$9\.00 \/ month on .*\./);
  });

  /** Pro moving to Starter at the renewal, which the customer may take back. */
  const scheduledStarter = (overrides: Partial<Subscription> = {}) =>
    proSubscription({
      scheduled_change: {
        product: { id: 'prod_starter', name: 'Starter' },
        price_id: 'price_starter',
        interval: 'month',
        interval_count: 1,
        seats: 1,
        amount: 900,
        effective_at: '2025-12-11T10:00:00.000Z',
      },
      actions: { ...proSubscription().actions, cancel_scheduled_change: true },
      ...overrides,
    });

  it('keeps the current plan: the scheduled change is dropped after a confirmation, all by keyboard', async () => {
    billing.subscriptions = [scheduledStarter()];
    const h = await render();
    const keep = h.button(/^Keep current plan$/);
    expect(textOf(keep.closest('.alert'))).to.equal('Scheduled: changes to Starter at $9.00 / month on Dec 11, 2025. Keep current plan');
    keep.focus();
    await sendKeys({ press: 'Enter' });
    const dialog = () => h.root.querySelector('customer-portal-dialog')!;
    await waitUntil(() => dialog()?.open, 'no confirmation');
    expect(dialog().label).to.equal('Keep your current plan?');
    expect(dialogText(dialog())).to.contain('The change to Starter at $9.00 / month on Dec 11, 2025 won’t happen. You stay on Pro at $29.00 / month.');
    await expect(h.element).to.be.accessible();
    // "Back" leaves it as it is.
    await waitUntil(() => focused() === buttonIn(dialog(), /^Back$/), 'focus is not in the dialog');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => !dialog().open, 'Back did not close');
    await waitUntil(() => focused() === keep, 'focus did not return to the button');
    expect(fake.to(`${BASE}/sub_pro/cancel-scheduled-change`)).to.have.length(0);

    await sendKeys({ press: 'Enter' });
    await waitUntil(() => dialog()?.open, 'no confirmation');
    await waitUntil(() => focused() === buttonIn(dialog(), /^Back$/), 'focus is not in the dialog');
    await sendKeys({ press: 'Tab' });
    expect(focused()).to.equal(buttonIn(dialog(), /^Keep current plan$/));
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => !dialog().open, 'the confirmation stayed open');
    const request = fake.to(`${BASE}/sub_pro/cancel-scheduled-change`);
    expect(request.map((r) => r.body)).to.deep.equal([{ expected_version: 1 }]);
    expect(request[0]!.idempotencyKey).to.match(/^[0-9a-f-]{36}$/);
    await waitUntil(
      () => textOf(h.root.querySelector('.notices')) === 'The scheduled change is canceled. You stay on Pro at $29.00 / month.',
      'no success message',
    );
    expect(h.root.querySelector('.notices .alert--success')).to.exist;
    expect(h.text).to.not.contain('Scheduled:');
    expect(focused()).to.not.equal(null);
    expect(focused()).to.not.equal(document.body);
    await expect(h.element).to.be.accessible();
  });

  it('keeps the current seats, and shows the subscription as it is now when it changed meanwhile', async () => {
    billing.subscriptions = [
      teamSubscription({
        scheduled_change: {
          product: { id: 'prod_team', name: 'Team' },
          price_id: 'price_team',
          interval: 'month',
          interval_count: 1,
          seats: 2,
          amount: 1600,
          effective_at: '2025-12-11T10:00:00.000Z',
        },
        actions: { ...teamSubscription().actions, cancel_scheduled_change: true },
      }),
    ];
    const h = await render();
    expect(h.text).to.contain('Scheduled: 2 seats from Dec 11, 2025, then $16.00 / month.');
    h.button(/^Keep current plan$/).click();
    const dialog = () => h.root.querySelector('customer-portal-dialog')!;
    await waitUntil(() => dialog()?.open, 'no confirmation');
    expect(dialogText(dialog())).to.contain('The change to 2 seats on Dec 11, 2025 won’t happen. You keep 3 seats at $24.00 / month.');
    // Someone dropped it already (another tab): the answer is the subscription as it is now.
    billing.subscriptions = billing.subscriptions.map((s) => ({
      ...s,
      scheduled_change: null,
      actions: { ...s.actions, cancel_scheduled_change: false },
      version: s.version + 1,
    }));
    buttonIn(dialog(), /^Keep current plan$/).click();
    await waitUntil(() => !dialog().open, 'the confirmation stayed open');
    await waitUntil(() => textOf(h.root.querySelector('.notices')) === 'This subscription just changed — here it is now.', 'no message');
    expect(h.root.querySelector('.notices .alert--danger')).to.equal(null);

    billing.subscriptions = [
      teamSubscription({
        scheduled_change: {
          product: { id: 'prod_team', name: 'Team' },
          price_id: 'price_team',
          interval: 'month',
          interval_count: 1,
          seats: 2,
          amount: 1600,
          effective_at: '2025-12-11T10:00:00.000Z',
        },
        actions: { ...teamSubscription().actions, cancel_scheduled_change: true },
      }),
    ];
    const again = await render();
    again.button(/^Keep current plan$/).click();
    await waitUntil(() => again.root.querySelector('customer-portal-dialog')?.open, 'no confirmation');
    buttonIn(again.root.querySelector('customer-portal-dialog')!, /^Keep current plan$/).click();
    await waitUntil(() => textOf(again.root.querySelector('.notices')) === 'The scheduled change is canceled. You keep 3 seats.', 'no success message');
  });

  it('offers no "Keep current plan" when the organization does not allow it', async () => {
    billing.subscriptions = [scheduledStarter({ actions: { ...proSubscription().actions, cancel_scheduled_change: false } })];
    const h = await render();
    expect(h.text).to.contain('Scheduled: changes to Starter');
    expect(h.text).to.not.contain('Keep current plan');
  });

  it('cancels at the end of the period: when, why, the offer, the summary, done', async () => {
    const h = await render();
    await h.openSubscription('Pro');
    const opener = h.button(/Cancel subscription/);
    opener.focus();
    opener.click();
    await h.step(CANCEL, 'Cancel Pro');
    expect(h.dialogOpen(CANCEL)).to.equal(true);
    await expect(h.flow(CANCEL).host).to.be.accessible();
    const radios = h.flow(CANCEL).querySelectorAll<HTMLInputElement>('input[name="mode"]');
    expect(radios[0]!.checked).to.equal(true);
    await waitUntil(() => focused() === radios[0], 'focus is not on the first choice');
    expect(h.flowText(CANCEL)).to.contain('Immediately Access ends now. We refund $23.20 to your card for the unused time.');

    h.flowButton(CANCEL, /^Continue$/).click();
    await waitUntil(() => h.flow(CANCEL).querySelector('input[name="reason"]'), 'no reasons');
    await expect(h.flow(CANCEL).host).to.be.accessible();
    expect([...h.flow(CANCEL).querySelectorAll('input[name="reason"]')].map((r) => textOf(r.parentElement))).to.deep.equal([
      'It’s too expensive',
      'Some features are missing',
      'I don’t use it enough',
      'Other reason',
    ]);
    h.flow(CANCEL).querySelectorAll<HTMLInputElement>('input[name="reason"]')[2]!.click();
    const comment = h.flow(CANCEL).querySelector<HTMLTextAreaElement>('#comment')!;
    comment.value = ' Not using it this winter ';
    comment.dispatchEvent(new InputEvent('input'));
    h.flowButton(CANCEL, /^Continue$/).click();

    await h.step(CANCEL, 'A better deal to stay');
    await expect(h.flow(CANCEL).host).to.be.accessible();
    expect(h.flowText(CANCEL)).to.contain('30% off Stay on Pro and pay $20.30 / month instead of $29.00 for your next 3 payments.');
    expect(h.flowText(CANCEL)).to.not.contain('Priced on your plan from');
    h.flowButton(CANCEL, /No thanks, cancel/).click();

    await h.step(CANCEL, 'Confirm cancellation');
    await expect(h.flow(CANCEL).host).to.be.accessible();
    expect(h.flowText(CANCEL)).to.match(/Pro stays active until .*\. You won’t be charged again\./);
    expect(h.flowText(CANCEL)).to.contain('Reason: I don’t use it enough');
    const canceled = oneEvent(h.element, 'cp-subscription-canceled') as Promise<SubscriptionCanceledEvent>;
    h.flowButton(CANCEL, /^Cancel subscription$/).click();

    const event = await canceled;
    expect(event.detail).to.include({ subscriptionId: 'sub_pro', mode: 'at_period_end', refund: null });
    expect(event.bubbles && event.composed).to.equal(true);
    const request = fake.to(`${BASE}/sub_pro/cancel`)[0]!;
    expect(request.body).to.deep.equal({ mode: 'at_period_end', reason: 'unused', comment: 'Not using it this winter', expected_version: 1 });
    expect(request.idempotencyKey).to.match(/^[0-9a-f-]{36}$/);
    await h.step(CANCEL, 'Subscription canceled');
    await expect(h.flow(CANCEL).host).to.be.accessible();
    expect(h.flowText(CANCEL)).to.match(/You keep Pro until .*\. No further charges\./);
    h.flowButton(CANCEL, /Done/).click();
    await waitUntil(() => !h.dialogOpen(CANCEL), 'the dialog did not close');
    // The page shows the new state, and the action that no longer applies is gone.
    expect(textOf(h.root.querySelector('.notices'))).to.match(/Pro ends on .*\. You won’t be charged again\. Don’t cancel/);
    expect(h.root.querySelector('.actions')?.textContent ?? '').to.not.contain('Cancel subscription');
  });

  it('cancels immediately: the exact refund before confirming, refunded as of when it was priced', async () => {
    billing.subscriptions = [proSubscription({ cancellation: { reasons: [], retention_offer: null, immediate_refund: immediateRefund(677) } })];
    const asOf = billing.subscriptions[0]!.cancellation.immediate_refund!.as_of;
    const h = await render();
    const loads = fake.to(`${BASE}/sub_pro`).length;
    await h.openCancel();
    expect(textOf(h.flow(CANCEL).querySelectorAll('.choice')[1]!)).to.equal('Immediately Access ends now. We refund $6.77 to your card for the unused time.');
    await h.pastWhy('Confirm cancellation', true);
    // No offer: straight to the summary, which says the amount again.
    expect(h.flowText(CANCEL)).to.contain('Pro ends now and you lose access to it. We refund $6.77 to your card for the unused time.');
    await expect(h.flow(CANCEL).host).to.be.accessible();
    const canceled = oneEvent(h.element, 'cp-subscription-canceled') as Promise<SubscriptionCanceledEvent>;
    h.flowButton(CANCEL, /^Cancel now$/).click();
    await h.step(CANCEL, 'Subscription canceled');
    expect(h.flowText(CANCEL)).to.contain('We refunded $6.77 to your card for the unused time.');
    expect((await canceled).detail.refund).to.deep.equal({ amount: 677, currency: 'USD', destination: 'payment_method' });
    expect(fake.to(`${BASE}/sub_pro/cancel`)[0]!.body).to.deep.equal({ mode: 'immediately', proration_date: asOf, expected_version: 1 });
    // The refund priced with the subscription: no request to price it again.
    expect(fake.to(`${BASE}/sub_pro`)).to.have.length(loads);
  });

  it('says when the refund goes to the wallet, and when nothing is refunded', async () => {
    billing.subscriptions = [proSubscription({ cancellation: { reasons: [], retention_offer: null, immediate_refund: immediateRefund(677, 'wallet') } })];
    const h = await render();
    await h.openCancel();
    await h.pastWhy('Confirm cancellation', true);
    expect(h.flowText(CANCEL)).to.contain('We refund $6.77 to your wallet for the unused time.');
    h.flowButton(CANCEL, /^Cancel now$/).click();
    await h.step(CANCEL, 'Subscription canceled');
    expect(h.flowText(CANCEL)).to.contain('We added $6.77 to your wallet for the unused time.');

    billing.subscriptions = [proSubscription({ status: 'trialing', cancellation: { reasons: [], retention_offer: null, immediate_refund: null } })];
    const trial = await render();
    await trial.openCancel();
    await trial.pastWhy('Confirm cancellation', true);
    expect(trial.flowText(CANCEL)).to.contain('Pro ends now and you lose access to it. Nothing more is charged.');
    trial.flowButton(CANCEL, /^Cancel now$/).click();
    await trial.step(CANCEL, 'Subscription canceled');
    expect(fake.to(`${BASE}/sub_pro/cancel`)[1]!.body).to.deep.equal({ mode: 'immediately', expected_version: 1 });
  });

  it('prices a refund shown long ago again when the dialog opens', async () => {
    billing.subscriptions = [
      proSubscription({ cancellation: { reasons: [], retention_offer: null, immediate_refund: immediateRefund(900, 'payment_method', 40 * 60_000) } }),
    ];
    const h = await render();
    // The server prices it now: less of the period is left.
    billing.subscriptions = [proSubscription({ cancellation: { reasons: [], retention_offer: null, immediate_refund: immediateRefund(677) } })];
    const fresh = billing.subscriptions[0]!.cancellation.immediate_refund!.as_of;
    const loads = fake.to(`${BASE}/sub_pro`).length;
    await h.openCancel();
    await h.pastWhy('Confirm cancellation', true);
    await waitUntil(() => h.flowText(CANCEL).includes('We refund $6.77 to your card'), 'the refund was not priced again');
    expect(fake.to(`${BASE}/sub_pro`)).to.have.length(loads + 1);
    h.flowButton(CANCEL, /^Cancel now$/).click();
    await h.step(CANCEL, 'Subscription canceled');
    expect((fake.to(`${BASE}/sub_pro/cancel`)[0]!.body as { proration_date: string }).proration_date).to.equal(fresh);
  });

  it('prices the retention offer on the plan scheduled for the renewal, and says so', async () => {
    const yearly = { product: { id: 'prod_pro', name: 'Pro' }, price_id: 'price_pro_y', interval: 'year', interval_count: 1, seats: 1 };
    billing.subscriptions = [
      proSubscription({
        scheduled_change: { ...yearly, amount: 29000, effective_at: '2025-12-11T10:00:00.000Z' },
        actions: { ...proSubscription().actions, cancel_scheduled_change: true },
        cancellation: { reasons: [], retention_offer: retentionOffer(29000, yearly), immediate_refund: immediateRefund(2320) },
      }),
    ];
    const h = await render();
    await h.openCancel();
    await h.pastWhy('A better deal to stay');
    expect(textOf(h.flow(CANCEL).querySelector('.offer'))).to.equal(
      'Before you go 30% off Stay on Pro and pay $203.00 / year instead of $290.00 for your next 3 payments. Priced on your plan from Dec 11, 2025.',
    );
    await expect(h.flow(CANCEL).host).to.be.accessible();
    h.flowButton(CANCEL, /Accept offer/).click();
    await h.step(CANCEL, 'Thanks for staying');
    expect(h.flowText(CANCEL)).to.contain('30% off is applied to your next 3 payments for Pro. Thanks for staying!');
    expect(fake.to(`${BASE}/sub_pro/accept-offer`)[0]!.body).to.deep.equal({ expected_version: 1 });
  });

  it('names the plan the offer applies to when the customer moves to another product', async () => {
    const team = { product: { id: 'prod_team', name: 'Team' }, price_id: 'price_team', interval: 'month', interval_count: 1, seats: 5 };
    billing.subscriptions = [
      proSubscription({
        scheduled_change: { ...team, amount: 4000, effective_at: '2025-12-11T10:00:00.000Z' },
        cancellation: { reasons: [], retention_offer: { ...retentionOffer(4000, team), periods: 1 }, immediate_refund: immediateRefund(2320) },
      }),
    ];
    const h = await render();
    await h.openCancel();
    await h.pastWhy('A better deal to stay');
    expect(textOf(h.flow(CANCEL).querySelector('.offer__text'))).to.equal(
      'Stay and pay $28.00 / month instead of $40.00 for your next payment on Team, the plan you move to on Dec 11, 2025.',
    );
  });

  it('keeps the subscription when the retention offer is taken', async () => {
    const h = await render();
    await h.openSubscription('Pro');
    await h.openCancel();
    await h.pastWhy('A better deal to stay');
    const changed = oneEvent(h.element, 'cp-subscription-changed') as Promise<SubscriptionChangedEvent>;
    h.flowButton(CANCEL, /Accept offer/).click();
    expect((await changed).detail.change).to.equal('retention_offer');
    await h.step(CANCEL, 'Thanks for staying');
    expect(fake.to(`${BASE}/sub_pro/cancel`)).to.have.length(0);
    expect(fake.to(`${BASE}/sub_pro/accept-offer`)).to.have.length(1);
    h.flowButton(CANCEL, /Done/).click();
    await waitUntil(() => textOf(h.root.querySelector('.facts-grid')).includes('30% off the next 3 payments'), 'no discount shown');
  });

  it('keeps the dialog open while busy; Escape closes it otherwise and focus returns', async () => {
    const hold = deferred();
    worker.use(http.post(`*${BASE}/:id/cancel`, () => hold.promise.then(() => undefined)));
    billing.subscriptions = [proSubscription({ cancellation: { reasons: [], retention_offer: null, immediate_refund: immediateRefund(2320) } })];
    const h = await render();
    const opener = h.button(/Cancel subscription/);
    opener.focus();
    opener.click();
    await h.step(CANCEL, 'Cancel Pro');
    const dialog = () => h.flow(CANCEL).querySelector('customer-portal-dialog')!.shadowRoot!.querySelector('dialog')!;
    dialog().dispatchEvent(new Event('cancel', { cancelable: true }));
    await waitUntil(() => !h.dialogOpen(CANCEL), 'Escape did not close');
    await waitUntil(() => focused() === opener, 'focus did not return to the opener');

    opener.click();
    await waitUntil(() => h.dialogOpen(CANCEL), 'the dialog did not open again');
    await h.pastWhy('Confirm cancellation');
    h.flowButton(CANCEL, /^Cancel subscription$/).click();
    await waitUntil(() => h.flow(CANCEL).querySelector('button[aria-busy="true"]'), 'not busy');
    expect(h.flowText(CANCEL)).to.contain('Canceling…');
    const escapeKey = new Event('cancel', { cancelable: true });
    dialog().dispatchEvent(escapeKey);
    expect(escapeKey.defaultPrevented).to.equal(true);
    expect(h.dialogOpen(CANCEL)).to.equal(true);
    hold.resolve();
    await h.step(CANCEL, 'Subscription canceled');
  });

  it('takes back a cancellation with "Don’t cancel"', async () => {
    billing.subscriptions = [
      proSubscription({
        cancel_at_period_end: true,
        next_invoice: null,
        actions: { cancel: false, uncancel: true, change_plan: false, change_seats: false, pause: false, resume: false, cancel_scheduled_change: false },
      }),
    ];
    const h = await render();
    const uncanceled = oneEvent(h.element, 'cp-subscription-uncanceled');
    h.button(/Don’t cancel/).click();
    expect((await uncanceled).detail).to.deep.equal({ subscriptionId: 'sub_pro' });
    await waitUntil(() => !h.text.includes('Don’t cancel'), 'the notice stayed');
    expect(textOf(h.root.querySelector('.notices'))).to.equal('');
  });

  /** The subscription as someone else left it (the merchant, another tab): one version newer. */
  function changedElsewhere(overrides: Partial<Subscription>): void {
    billing.subscriptions = billing.subscriptions.map((s) => (s.id === 'sub_pro' ? { ...s, ...overrides, version: s.version + 1 } : s));
  }

  it('shows the subscription as it is now when it changed since it was shown, instead of an error', async () => {
    const h = await render();
    await h.openSubscription('Pro');
    // Moved to the yearly price elsewhere while the customer was deciding to cancel.
    changedElsewhere({ price: { ...proSubscription().price, id: 'price_pro_y', unit_amount: 29000, interval: 'year' }, amount: 29000, interval: 'year' });
    await h.openCancel();
    await h.pastWhy('A better deal to stay');
    h.flowButton(CANCEL, /No thanks, cancel/).click();
    await h.step(CANCEL, 'Confirm cancellation');
    fake.requests = [];
    h.flowButton(CANCEL, /^Cancel subscription$/).click();

    await waitUntil(() => !h.dialogOpen(CANCEL), 'the dialog stayed open');
    await waitUntil(() => textOf(h.root.querySelector('.hero__amount')) === '$290.00 / year', 'the subscription was not shown as it is now');
    expect(textOf(h.root.querySelector('.notices .alert'))).to.equal('This subscription just changed — here it is now.');
    expect(h.root.querySelector('.notices .alert--danger')).to.equal(null);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).to.deep.equal([`POST ${BASE}/sub_pro/cancel`, `GET ${BASE}/sub_pro`]);
    expect((fake.requests[0]!.body as { expected_version: number }).expected_version).to.equal(1);
    expect(billing.subscriptions[0]!.cancel_at_period_end).to.equal(false);
    await expect(h.element).to.be.accessible();

    // Decided again on what is shown now: the next try sends the new version and goes through.
    await h.openCancel();
    expect(h.text).to.not.contain('This subscription just changed');
    await h.pastWhy('A better deal to stay');
    h.flowButton(CANCEL, /No thanks, cancel/).click();
    await h.step(CANCEL, 'Confirm cancellation');
    h.flowButton(CANCEL, /^Cancel subscription$/).click();
    await h.step(CANCEL, 'Subscription canceled');
    expect((fake.to(`${BASE}/sub_pro/cancel`)[1]!.body as { expected_version: number }).expected_version).to.equal(2);
  });

  it('says so when a quick action finds the subscription changed, and shows it as it is now', async () => {
    billing.subscriptions = [
      proSubscription({
        cancel_at_period_end: true,
        next_invoice: null,
        actions: { cancel: false, uncancel: true, change_plan: false, change_seats: false, pause: false, resume: false, cancel_scheduled_change: false },
      }),
    ];
    const h = await render();
    // Taken back in another tab already.
    changedElsewhere({ cancel_at_period_end: false, actions: { ...proSubscription().actions } });
    h.button(/Don’t cancel/).click();
    await waitUntil(() => h.text.includes('This subscription just changed — here it is now.'), 'no message');
    expect(h.text).to.not.contain('Don’t cancel');
    expect(textOf(h.root.querySelector('.actions'))).to.contain('Cancel subscription');
    expect(focused()).to.equal(h.root.querySelector('.hero__title'));
  });

  it('shows the changed subscription when a plan change is refused, from any flow', async () => {
    const h = await render();
    await h.reviewPlan(2);
    await waitUntil(() => h.flowText(PLAN).includes('Switch to Pro'), 'no preview');
    changedElsewhere({ seats: 1, discount: { percent_off: 10, periods_left: 1 } });
    h.flowButton(PLAN, /Pay \$324\.80/).click();
    await waitUntil(() => !h.dialogOpen(PLAN), 'the dialog stayed open');
    await waitUntil(() => h.text.includes('This subscription just changed — here it is now.'), 'no message');
    expect(textOf(h.root.querySelector('.facts-grid'))).to.contain('Discount 10% off the next payment');
    expect(h.text).to.not.contain('review it before trying again');
  });

  it('changes plan: plans side by side, the proration preview, payment, done', async () => {
    const h = await render();
    await h.openSubscription('Pro');
    h.button(/Change plan/).click();
    await h.step(PLAN, 'Change plan');
    await waitUntil(() => h.flow(PLAN).querySelectorAll('.plan input').length === 4, 'no plans');
    await expect(h.flow(PLAN).host).to.be.accessible();
    const cards = [...h.flow(PLAN).querySelectorAll('.plan')].map((c) => textOf(c));
    expect(cards).to.deep.equal([
      'Starter $9.00 / month For side projects.',
      'Pro $29.00 / month Unlimited projects, priority support. Current plan',
      'Pro $290.00 / year Unlimited projects, priority support. Save 17%',
      'Team $8.00 per seat / month Per-seat pricing with SSO.',
    ]);
    expect(h.flow(PLAN).querySelectorAll<HTMLInputElement>('.plan input')[1]!.disabled).to.equal(true);
    expect(h.flowButton(PLAN, /Review change/).disabled).to.equal(true);
    await h.choosePlan(2);

    await h.step(PLAN, 'Review your change');
    await waitUntil(() => h.flowText(PLAN).includes('Switch to Pro at $290.00 / year'), 'no preview');
    await expect(h.flow(PLAN).host).to.be.accessible();
    expect(fake.to(`${BASE}/sub_pro/change-preview`)[0]!.body).to.deep.equal({ price_id: 'price_pro_y' });
    expect(textOf(h.flow(PLAN).querySelector('.summary'))).to.equal('New price $290.00 / year Takes effect Now Due now $324.80');
    expect(textOf(h.flow(PLAN).querySelector('.totals'))).to.contain('Unused time on Pro after 2025-11-21 -$19.33');
    const changed = oneEvent(h.element, 'cp-subscription-changed') as Promise<SubscriptionChangedEvent>;
    h.flowButton(PLAN, /Pay \$324\.80 and confirm/).click();
    expect((await changed).detail).to.deep.include({ subscriptionId: 'sub_pro', change: 'upgrade', priceId: 'price_pro_y', orderId: 'ord_new' });
    const change = fake.to(`${BASE}/sub_pro/change`)[0]!;
    expect(change.body).to.deep.equal({ price_id: 'price_pro_y', proration_date: '2025-11-21T10:00:00.000Z', expected_version: 1 });
    expect(change.idempotencyKey).to.match(/^[0-9a-f-]{36}$/);
    await h.step(PLAN, 'Plan changed');
    await expect(h.flow(PLAN).host).to.be.accessible();
    expect(h.flowText(PLAN)).to.contain('You’re now on Pro');
    h.flowButton(PLAN, /Done/).click();
    await waitUntil(() => textOf(h.root.querySelector('.hero__amount')) === '$290.00 / year', 'the new price is not shown');
  });

  it('keeps the dialog open with the bank’s message when the card is declined, and retries as a new action', async () => {
    worker.use(
      http.post(
        `*${BASE}/:id/change`,
        async ({ request }) => {
          await record(request);
          return apiError(402, 'payment_failed', 'Your card was declined. Your plan was not changed.', { decline_code: 'card_declined' });
        },
        { once: true },
      ),
    );
    const h = await render();
    await h.reviewPlan(2);
    await waitUntil(() => h.flowText(PLAN).includes('Switch to Pro'), 'no preview');
    h.flowButton(PLAN, /Pay \$324\.80/).click();
    await waitUntil(() => textOf(h.flow(PLAN).querySelector('[role="alert"]')) === 'Your card was declined. Your plan was not changed.', 'no decline message');
    expect(h.dialogOpen(PLAN)).to.equal(true);
    expect(h.title(PLAN)).to.equal('Review your change');
    h.flowButton(PLAN, /Pay \$324\.80/).click();
    await h.step(PLAN, 'Plan changed');
    const [first, second] = fake.to(`${BASE}/sub_pro/change`);
    expect(first!.idempotencyKey).to.not.equal(second!.idempotencyKey);
  });

  describe('a plan change the bank wants confirmed (402 authentication_required)', () => {
    const confirm = (h: SubscriptionsHarness) => h.flow(PLAN).querySelector('customer-portal-confirm-payment-dialog');
    const frame = (h: SubscriptionsHarness) => confirm(h)?.shadowRoot?.querySelector('iframe');
    const post = (h: SubscriptionsHarness, data: unknown) =>
      window.dispatchEvent(new MessageEvent('message', { data, origin: location.origin, source: frame(h)!.contentWindow }));

    async function askedToConfirm(): Promise<SubscriptionsHarness> {
      worker.use(
        http.post(
          `*${BASE}/:id/change`,
          async ({ request }) => {
            await record(request);
            return apiError(402, 'authentication_required', 'Your bank asks you to confirm this payment. Your plan changes once it is confirmed.', {
              order_id: 'ord_change',
              amount: 32480,
              currency: 'USD',
            });
          },
          { once: true },
        ),
      );
      const h = await render();
      await h.reviewPlan(2);
      await waitUntil(() => h.flowText(PLAN).includes('Switch to Pro'), 'no preview');
      h.flowButton(PLAN, /Pay \$324\.80/).click();
      await waitUntil(() => frame(h), 'the confirm page did not open');
      expect(fake.to('/portal/v1/payments/confirm-session')[0]?.body).to.deep.equal({ origin: location.origin, order_id: 'ord_change' });
      post(h, { type: 'cp:ready' });
      return h;
    }

    it('opens the hosted confirm page for that order; confirmed, the change is done', async () => {
      const h = await askedToConfirm();
      await expect(confirm(h)).to.be.accessible();
      const changed = oneEvent(h.element, 'cp-subscription-changed') as Promise<SubscriptionChangedEvent>;
      billing.subscriptions = billing.subscriptions.map((s) =>
        s.id === 'sub_pro'
          ? { ...s, version: s.version + 1, price: { ...s.price, id: 'price_pro_y', unit_amount: 29000, interval: 'year' }, amount: 29000, interval: 'year' }
          : s,
      );
      post(h, { type: 'cp:success', order_id: 'ord_change', subscription: { id: 'sub_pro', status: 'active' } });
      await new Promise((resolve) => requestAnimationFrame(resolve));
      expect(frame(h), 'the confirm page stays a moment, so its "confirmed" is seen').to.exist;
      expect((await changed).detail).to.deep.include({ subscriptionId: 'sub_pro', change: 'upgrade', priceId: 'price_pro_y', orderId: 'ord_change' });
      await h.step(PLAN, 'Plan changed');
      await waitUntil(() => !frame(h), 'the confirm page did not close by itself', { timeout: 5000 });
      expect(textOf(h.flow(PLAN).querySelector('[role="alert"]')), 'no "not changed yet" after a confirmed payment').to.equal('');
      h.flowButton(PLAN, /Done/).click();
      await waitUntil(() => textOf(h.root.querySelector('.hero__amount')) === '$290.00 / year', 'the new price is not shown');
    });

    it('asked to confirm without an order to confirm: the message says so, no empty confirm page', async () => {
      worker.use(
        http.post(
          `*${BASE}/:id/change`,
          () => apiError(402, 'authentication_required', 'Your bank asks you to confirm this payment. Open the link in the email we sent you.'),
          {
            once: true,
          },
        ),
      );
      const h = await render();
      await h.reviewPlan(2);
      await waitUntil(() => h.flowText(PLAN).includes('Switch to Pro'), 'no preview');
      h.flowButton(PLAN, /Pay \$324\.80/).click();
      await waitUntil(() => textOf(h.flow(PLAN).querySelector('[role="alert"]')).includes('Open the link in the email we sent you.'), 'no message');
      expect(confirm(h)).to.equal(null);
    });

    it('closed without confirming: the change dialog says the plan did not change yet', async () => {
      const h = await askedToConfirm();
      await sendKeys({ press: 'Escape' });
      await waitUntil(() => !frame(h), 'Escape did not close the confirm page');
      await waitUntil(
        () =>
          textOf(h.flow(PLAN).querySelector('[role="alert"]')) ===
          'Your plan was not changed yet: the payment needs your confirmation. Confirm it to finish, or it is undone in a few minutes.',
        'no message',
      );
      expect(h.dialogOpen(PLAN)).to.equal(true);
      expect(h.title(PLAN)).to.equal('Review your change');
    });
  });

  it('reuses the Idempotency-Key when the answer never arrived', async () => {
    worker.use(
      http.post(
        `*${BASE}/:id/change`,
        async ({ request }) => {
          await record(request);
          return HttpResponse.error();
        },
        { once: true },
      ),
    );
    const h = await render();
    await h.reviewPlan(2);
    await waitUntil(() => h.flowText(PLAN).includes('Switch to Pro'), 'no preview');
    h.flowButton(PLAN, /Pay/).click();
    await waitUntil(() => h.flowText(PLAN).includes('Could not reach the server'), 'no network error');
    h.flowButton(PLAN, /Pay/).click();
    await h.step(PLAN, 'Plan changed');
    const [first, second] = fake.to(`${BASE}/sub_pro/change`);
    expect(first!.idempotencyKey).to.equal(second!.idempotencyKey);
  });

  it('says a downgrade takes effect at renewal', async () => {
    const h = await render();
    await h.reviewPlan(0);
    await waitUntil(() => h.flowText(PLAN).includes('Downgrade to Starter'), 'no preview');
    expect(h.flowText(PLAN)).to.match(/Takes effect .*, at renewal/);
    expect(h.flowText(PLAN)).to.contain('Nothing is charged now.');
    h.flowButton(PLAN, /Schedule change/).click();
    await h.step(PLAN, 'Change scheduled');
    expect(h.flowText(PLAN)).to.match(/Your plan changes to Starter on /);
  });

  it('changes seats with a stepper and a live preview', async () => {
    const h = await render();
    await h.openSubscription('Team');
    h.button(/Change seats/).click();
    await h.step(SEATS, 'Change seats');
    const input = h.flow(SEATS).querySelector<HTMLInputElement>('#seats')!;
    await waitUntil(() => focused() === input, 'focus is not on the number');
    expect(input.value).to.equal('3');
    expect(h.flowButton(SEATS, /Update seats/).disabled).to.equal(true);
    h.flowButton(SEATS, /Add a seat/).click();
    h.flowButton(SEATS, /Add a seat/).click();
    await waitUntil(() => h.flowText(SEATS).includes('Due now $10.66'), 'no preview');
    // Debounced: one preview for the two clicks.
    expect(fake.to(`${BASE}/sub_team/change-preview`).map((r) => r.body)).to.deep.equal([{ seats: 5 }]);
    await expect(h.flow(SEATS).host).to.be.accessible();
    type(input, '0');
    await waitUntil(() => h.flowText(SEATS).includes('Enter a whole number from 1 to 10,000.'), 'no validation');
    type(input, '2');
    await waitUntil(() => h.flowText(SEATS).includes('goes to your wallet'), 'no credit preview');
    const changed = oneEvent(h.element, 'cp-subscription-changed') as Promise<SubscriptionChangedEvent>;
    h.flowButton(SEATS, /Update seats/).click();
    expect((await changed).detail).to.deep.include({ change: 'seats', seats: 2 });
    expect(fake.to(`${BASE}/sub_team/change`)[0]!.body).to.deep.equal({ seats: 2, proration_date: '2025-11-21T10:00:00.000Z', expected_version: 1 });
    await h.step(SEATS, 'Seats updated');
    expect(h.flowText(SEATS)).to.contain('You now have 2 seats');
  });

  it('pauses, and takes a scheduled pause back', async () => {
    const h = await render();
    await h.openSubscription('Pro');
    h.button(/^Pause$/).click();
    await h.step(PAUSE, 'Pause Pro?');
    await expect(h.flow(PAUSE).host).to.be.accessible();
    expect(h.flowText(PAUSE)).to.match(/Pro pauses at the end of this period, on /);
    h.flowButton(PAUSE, /Pause subscription/).click();
    // Scheduled, not paused yet: the title says so.
    await h.step(PAUSE, 'Pause scheduled');
    h.flowButton(PAUSE, /Done/).click();
    await waitUntil(() => h.text.includes('Don’t pause'), 'no pause notice');
    // The dialog's news stays on screen a moment after it closes.
    await waitUntil(() => h.toast === 'Pause scheduled', `no toast: "${h.toast}"`);
    h.button(/Don’t pause/).click();
    await waitUntil(() => !h.text.includes('Don’t pause'), 'the pause stayed');
    expect(fake.to(`${BASE}/sub_pro/resume`)).to.have.length(1);
  });

  it('resumes a paused subscription after saying what it costs', async () => {
    billing.subscriptions = [
      proSubscription({
        status: 'paused',
        next_invoice: null,
        actions: { cancel: false, uncancel: false, change_plan: false, change_seats: false, pause: false, resume: true, cancel_scheduled_change: false },
      }),
    ];
    const h = await render();
    h.button(/Resume subscription/).click();
    await h.step(PAUSE, 'Resume Pro?');
    expect(h.flowText(PAUSE)).to.contain('$29.00 / month (plus any tax) is charged now');
    h.flowButton(PAUSE, /Resume and pay now/).click();
    await h.step(PAUSE, 'Subscription resumed');
  });

  it('is accessible', async () => {
    billing.pastDue = true;
    const h = await render();
    await expect(h.element).to.be.accessible();
    await h.openSubscription('Team');
    await expect(h.element).to.be.accessible();
  });
});
