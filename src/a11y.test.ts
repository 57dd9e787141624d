// axe on every view and every dialog the views open, in the four looks a customer may get:
// light and dark, left to right (English) and right to left (Arabic). Each view renders once
// per look; its dialogs are opened in it, step by step, as a customer goes through them.
// Buttons are found by what they say in the language shown (say()), so the same walk runs in
// both languages.
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http } from 'msw';
import { billing, order, proSubscription } from '../test/msw/billing.js';
import { apiError } from '../test/msw/handlers.js';
import { signIn, useMockApi, worker } from '../test/msw/worker.js';
import { lowContrast } from './testing/contrast.js';
import { buttonIn, textOf, type } from './testing/dom.js';
import { resetLocale, say, shownIn } from './testing/locale.js';
import { ViewHarness } from './testing/view.harness.js';
import './index.js';
// The sign-in loads only when a customer is signed out (src/views/lazy.ts); shown here on its own.
import './portal/sign-in.js';
import './views/account/account.js';
import './views/benefits/benefits.js';
import './views/orders/orders.js';
import './views/overview/overview.js';
import './views/seats/seats.js';
import './views/settings/payment-methods.js';
import './views/settings/settings.js';
import './views/subscriptions/subscriptions.js';
import './views/usage/usage.js';
import './views/wallet/wallet.js';
import type { ViewElement } from './ui/view-element.js';

interface Look {
  name: string;
  theme: 'light' | 'dark';
  locale: 'en' | 'ar';
  dir: 'ltr' | 'rtl';
}

const looks: Look[] = [
  { name: 'light, left to right', theme: 'light', locale: 'en', dir: 'ltr' },
  { name: 'dark, left to right', theme: 'dark', locale: 'en', dir: 'ltr' },
  { name: 'light, right to left', theme: 'light', locale: 'ar', dir: 'rtl' },
  { name: 'dark, right to left', theme: 'dark', locale: 'ar', dir: 'rtl' },
];

type View = ViewHarness<ViewElement>;

/** axe on `target`, and the contrast of every text it shows (from computed styles), naming what was checked when either finds something. */
async function accessible(target: Element, what: string): Promise<void> {
  try {
    await expect(target).to.be.accessible();
  } catch (error) {
    throw new Error(`${what}: ${(error as Error).message}`);
  }
  expect(lowContrast(target), `${what}: text below WCAG AA contrast`).to.deep.equal([]);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The button in `root` that reads `english` in the language shown (or starts so, when `prefix`). */
function press(root: ParentNode, english: string, prefix = false): void {
  buttonIn(root, new RegExp(`^${escapeRegExp(say(english))}${prefix ? '' : '$'}`)).click();
}

/** A flow's shadow root (cancel, change plan, …), where its dialog and buttons are. */
const flow = (h: View, tag: string) => h.root.querySelector(tag)!.shadowRoot!;
/** The dialog of a flow (its shadow root given) or a confirmation (the dialog itself given). */
const dialogIn = (root: ShadowRoot | HTMLElement) => (root instanceof ShadowRoot ? root.querySelector<HTMLElement>('customer-portal-dialog') : root);
const isOpen = (root: ShadowRoot | HTMLElement) => Boolean(dialogIn(root)?.shadowRoot?.querySelector('dialog')?.open);
/** The flow's main button: the last in its footer (Continue, Pay and confirm, Update seats…). */
const primary = (root: ParentNode) => [...root.querySelectorAll<HTMLButtonElement>('button[slot="footer"]')].at(-1)!;

/** A step of a flow: what shows when it is there, and how the customer moves on (the main button unless said). */
interface Step {
  shows: string;
  what: string;
  next?: (root: ShadowRoot) => unknown;
}

/** Opens a subscription from the list. */
async function open(h: View, id: string): Promise<void> {
  const row = () => h.root.querySelector<HTMLButtonElement>(`.row[data-id="${id}"]`);
  await h.until(row, `no ${id} in the list`);
  row()!.click();
  await h.until(() => h.root.querySelector('.hero'), `${id} did not open`);
  await accessible(h.element, id);
}

/** Change plan: the yearly Pro, then on to the review. */
async function choosePlan(root: ShadowRoot): Promise<void> {
  root.querySelectorAll<HTMLInputElement>('.plan input')[2]!.click();
  await waitUntil(() => !primary(root).disabled, 'no plan chosen');
  primary(root).click();
}

/** Types into a field and leaves it (its check runs); then the main button, when `submit`. */
function typeIn(root: ShadowRoot, field: string, value: string, submit = false): void {
  const input = root.querySelector<HTMLInputElement>(field)!;
  type(input, value);
  input.dispatchEvent(new FocusEvent('blur'));
  if (submit) primary(root).click();
}

/** Confirms the change once with the card declined. */
function declineOnce(root: ShadowRoot): void {
  worker.use(http.post('*/portal/v1/subscriptions/:id/change', () => apiError(402, 'payment_failed', 'Your card was declined.'), { once: true }));
  primary(root).click();
}

/** Every badge a subscription or an order can wear (each tone, for contrast), besides Pro and Team. */
function everyStatus(): void {
  const ended = { next_invoice: null };
  billing.subscriptions.push(
    proSubscription({ id: 'sub_cancels', cancel_at_period_end: true, ...ended }),
    proSubscription({ id: 'sub_pauses', pause_at: '2025-12-11T10:00:00.000Z', ...ended }),
    proSubscription({ id: 'sub_trial', status: 'trialing', trial_end: '2025-12-05T10:00:00.000Z' }),
    proSubscription({ id: 'sub_late', status: 'past_due' }),
    proSubscription({ id: 'sub_paused', status: 'paused', ...ended }),
    proSubscription({ id: 'sub_ended', status: 'canceled', ended_at: '2025-11-01T00:00:00.000Z', ...ended }),
    proSubscription({
      id: 'sub_scheduled',
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
    }),
  );
  billing.orders = [
    order(7),
    order(6, { status: 'pending', paid_at: null }),
    order(5, { status: 'failed', paid_at: null, failure_message: 'Your card was declined.' }),
    order(4, { status: 'partially_refunded', refunded_amount: 1000 }),
    order(3, { status: 'refunded', refunded_amount: 3480 }),
    order(2, { status: 'void', paid_at: null }),
    order(1),
  ];
}

describe('accessibility of every view and dialog', () => {
  useMockApi();
  beforeEach(() => {
    signIn();
    // The past-due banner is part of every view.
    billing.pastDue = true;
  });
  afterEach(() => resetLocale());

  for (const look of looks) {
    describe(look.name, () => {
      /** The view on a page of its theme's colour, in its language, once `loaded` shows (a selector or a check). */
      async function show(tag: string, loaded: string | ((h: View) => unknown), org = 'acme'): Promise<View> {
        const element = document.createElement(tag) as ViewElement;
        element.setAttribute('org', org);
        element.setAttribute('locale', look.locale);
        if (look.theme === 'dark') element.setAttribute('theme', 'dark');
        // A merchant's light page, with its own banner (the widget must not bring another one):
        // a dark widget on it paints its own background, so its headings read there too.
        await fixture(html`<div style="background:#fff;padding:8px"><header>Acme Cloud</header>${element}</div>`);
        const h = new ViewHarness(element);
        await h.until(() => (typeof loaded === 'string' ? h.root.querySelector(loaded) : loaded(h)), `${tag} did not load`);
        await shownIn(element, look.locale);
        expect([element.lang, element.dir]).to.deep.equal([look.locale, look.dir]);
        await accessible(element, tag);
        return h;
      }

      /** Waits for a flow's or a confirmation's dialog to show `ready`, then checks it. */
      async function step(h: View, root: ShadowRoot | HTMLElement, ready: string, what: string): Promise<void> {
        await h.until(() => isOpen(root) && root.querySelector(ready), `${what}: "${ready}" did not show`);
        expect(dialogIn(root)!.dir, `${what}: the dialog's direction`).to.equal(look.dir);
        await accessible(root instanceof ShadowRoot ? root.host : root, what);
      }

      /** Opens a flow with the button that reads `opener`, checks each step on the way, and closes it with `close`. */
      async function walk(h: View, tag: string, opener: string | (() => void), steps: Step[], close = 'Done'): Promise<void> {
        if (typeof opener === 'string') press(h.root, opener);
        else opener();
        // Flows load on the first click (src/views/lazy.ts): wait for the element to be defined.
        await h.until(() => customElements.get(tag) && h.root.querySelector(tag)?.shadowRoot, `${tag} did not load`);
        for (const [index, { shows, what, next }] of steps.entries()) {
          await step(h, flow(h, tag), shows, what);
          if (index < steps.length - 1) await (next ?? ((root: ShadowRoot) => primary(root).click()))(flow(h, tag));
        }
        press(flow(h, tag), close);
        await h.until(() => !isOpen(flow(h, tag)), `${tag} did not close`);
      }

      /** A confirmation (remove a card, rotate a key, revoke a seat) opened with `english`. */
      async function confirmation(h: View, english: string, what: string): Promise<void> {
        press(h.root, english);
        await h.until(() => h.root.querySelector('customer-portal-dialog[open]'), `${what} did not open`);
        await step(h, h.dialog, 'button[slot="footer"]', what);
      }

      it('overview', async () => {
        everyStatus();
        await show('customer-portal-overview', '.order');
      });

      it('the portal around the views, and its sign-in', async () => {
        await show('customer-portal', (portal) => portal.root.querySelector('customer-portal-overview')?.shadowRoot?.querySelector('.order'));

        // Signed out (of another organization): the email, then the code, a wrong one.
        const h = await show('customer-portal-sign-in', (signIn) => textOf(signIn.root.querySelector('.title')).includes('Initech'), 'initech');
        type(h.root.querySelector<HTMLInputElement>('#email')!, 'alice@example.com');
        press(h.root, 'Email me a code');
        await h.until(() => h.root.querySelector('#code'), 'no code step');
        type(h.root.querySelector<HTMLInputElement>('#code')!, '000000');
        await h.until(() => textOf(h.root.querySelector('[role="alert"]')), 'no wrong-code message');
        await accessible(h.element, 'sign-in: a wrong code');
      });

      it('subscriptions: the list, a subscription, its change plan, pause, cancel and seats flows, and keeping the current plan', async () => {
        everyStatus();
        const h = await show('customer-portal-subscriptions', '.row[data-id]');
        await open(h, 'sub_pro');
        await walk(h, 'customer-portal-change-plan-flow', 'Change plan', [
          { shows: '.plan input', what: 'change plan: the plans', next: choosePlan },
          { shows: '.summary', what: 'change plan: the review', next: declineOnce },
          { shows: '[role="alert"] .alert', what: 'change plan: the card declined' },
          { shows: '.done', what: 'change plan: done' },
        ]);
        await walk(h, 'customer-portal-pause-flow', 'Pause', [
          { shows: 'p', what: 'pause: the question' },
          { shows: '.done', what: 'pause: done' },
        ]);
        await walk(h, 'customer-portal-cancel-flow', 'Cancel subscription', [
          { shows: 'input[name="mode"]', what: 'cancel: when' },
          { shows: 'input[name="reason"]', what: 'cancel: why' },
          { shows: '.offer', what: 'cancel: the offer to stay', next: (root) => press(root, 'No thanks, cancel') },
          { shows: '.facts', what: 'cancel: the summary' },
          { shows: '.done', what: 'cancel: done' },
        ]);
        press(h.root, 'All subscriptions', true);
        await open(h, 'sub_team');
        await walk(h, 'customer-portal-seats-flow', 'Change seats', [
          { shows: '#seats', what: 'seats: the number', next: (root) => press(root, 'Add a seat') },
          { shows: '.totals', what: 'seats: the preview' },
          { shows: '.done', what: 'seats: done' },
        ]);
        press(h.root, 'All subscriptions', true);
        await open(h, 'sub_scheduled');
        await confirmation(h, 'Keep current plan', 'keep the current plan');
      }).timeout(20_000); // Five dialogs and a dozen axe runs: about the default 5 s on a loaded 2-core machine.

      it('orders: the list, an order, and its invoice details', async () => {
        everyStatus();
        const h = await show('customer-portal-orders', '.table');
        h.root.querySelector<HTMLButtonElement>('[data-id="ord_7"]')!.click();
        await h.until(() => h.root.querySelector('.pay dd'), 'no order detail');
        await accessible(h.element, 'an order');

        await walk(h, 'customer-portal-invoice-details-flow', 'Edit invoice details', [
          { shows: '#tax_id', what: 'invoice details: the form', next: (root) => typeIn(root, '#tax_id', 'DE 123') },
          {
            shows: '#tax_id[aria-invalid="true"]',
            what: 'invoice details: a wrong VAT number',
            next: (root) => typeIn(root, '#tax_id', 'FR 12 345 678 901', true),
          },
          { shows: '.done', what: 'invoice details: saved' },
        ]);
      });

      it('benefits, and the confirmation to rotate a key', async () => {
        const h = await show('customer-portal-benefits', 'article');
        await confirmation(h, 'Rotate', 'rotate a license key');
      });

      it('seats, and the confirmation to revoke one', async () => {
        const h = await show('customer-portal-seats', 'li.entry');
        await confirmation(h, 'Revoke', 'revoke a seat');
      });

      it('usage', async () => {
        await show('customer-portal-usage', 'article');
      });

      it('wallet', async () => {
        await show('customer-portal-wallet', '.balance strong');
      });

      it('settings, and the email change', async () => {
        const h = await show('customer-portal-settings', '#tax_id');
        await h.until(() => h.root.querySelector('customer-portal-payment-methods')?.shadowRoot?.querySelector('li'), 'no cards');
        // "Change email": "email" is a word of its own, for screen readers.
        await walk(
          h,
          'customer-portal-email-change-flow',
          () => press(h.root, 'Change', true),
          [
            { shows: '#value', what: 'email change: the new address', next: (root) => typeIn(root, '#value', 'alice.new@example.com', true) },
            { shows: '#value[autocomplete="one-time-code"]', what: 'email change: the code' },
          ],
          'Cancel',
        );
      });

      it('payment methods, the confirmation to remove a card, and the card form', async () => {
        const h = await show('customer-portal-payment-methods', 'li.entry');
        await confirmation(h, 'Remove', 'remove a card');
        press(h.dialog, 'Cancel');
        await h.until(() => !h.root.querySelector('customer-portal-dialog[open]'), 'the confirmation did not close');

        press(h.root, 'Update payment method');
        const modal = h.root.querySelector('customer-portal-payment-method-dialog')!;
        await h.until(() => modal.shadowRoot!.querySelector('iframe'), 'no card form');
        const frame = modal.shadowRoot!.querySelector('iframe')!.contentWindow;
        for (const data of [{ type: 'cp:ready' }, { type: 'cp:resize', height: 320 }]) {
          window.dispatchEvent(new MessageEvent('message', { data, origin: location.origin, source: frame }));
        }
        await step(h, modal.shadowRoot!, 'iframe[style*="320px"]', 'the card form');
      });

      it('account, and editing the name', async () => {
        const h = await show('customer-portal-account', 'dl');
        press(h.root, 'Edit', true);
        await h.until(() => h.root.querySelector('#name'), 'no name field');
        await accessible(h.element, 'editing the name');
      });
    });
  }
});
